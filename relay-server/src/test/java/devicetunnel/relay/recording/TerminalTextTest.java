package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plain text a recording's search reads: what a reader saw, without the terminal's escape sequences. */
@Timeout(30)
class TerminalTextTest {
    private final List<String> lines = new ArrayList<>();
    private final List<Double> times = new ArrayList<>();
    private final TerminalText text = new TerminalText((at, line) -> {
        times.add(at);
        lines.add(line);
    });

    private List<String> feed(String... chunks) throws Exception {
        for (int i = 0; i < chunks.length; i++) {
            text.feed(i, chunks[i]);
        }
        text.finish();
        return lines;
    }

    @Test
    void colourPromptsAndTitlesAreDroppedLeavingTheText() throws Exception {
        assertThat(feed("\u001b]0;alice@dev-1: ~\u0007\u001b[01;32malice@dev-1\u001b[00m:\u001b[01;34m~\u001b[00m$ ls\r\n",
                "\u001b[0m\u001b[01;34mbin\u001b[0m  notes.txt\r\n"))
                .containsExactly("alice@dev-1:~$ ls", "bin  notes.txt");
    }

    @Test
    void sequencesSplitAcrossOutputChunksAreStillRecognised() throws Exception {
        assertThat(feed("before \u001b[3", "1mred\u001b", "[0m after\u001b]2;ti", "tle\u001b", "\\ end\n"))
                .containsExactly("before red after end");
    }

    @Test
    void carriageReturnBackspaceAndEraseRewriteTheLineAsTheScreenShowedIt() throws Exception {
        assertThat(feed("progress 10%\rprogress 99%\r\n", "tpyo\b\b\bypo!\n", "old text\r\u001b[Knew\n"))
                .containsExactly("progress 99%", "typo!", "new");
    }

    @Test
    void cursorAddressingStartsNewLinesSoFullScreenProgramsStaySearchable() throws Exception {
        assertThat(feed("\u001b[?1049h\u001b[H\u001b[2JTasks: 97 total\u001b[2;1HCpu(s): 3.1 us\u001b[3;1H\u001b[?25l"))
                .containsExactly("Tasks: 97 total", "Cpu(s): 3.1 us");
    }

    @Test
    void charsetSelectionsDeviceStringsAndC1ControlsLeaveNoResidue() throws Exception {
        assertThat(feed("\u001b(Bplain\u001bPq#0;2;0;0;0\u001b\\ \u009b1mbold\u009b0m\u001b=\u001b>\u0007\n"))
                .containsExactly("plain bold");
    }

    @Test
    void eachLineCarriesTheTimeItsFirstCharacterWasPrinted() throws Exception {
        feed("first\n", "sec", "ond\nthird");
        assertThat(lines).containsExactly("first", "second", "third");
        assertThat(times).containsExactly(0.0, 1.0, 2.0);
    }

    @Test
    void endlessLinesAreCutSoOneTranscriptLineStaysSmall() throws Exception {
        feed("x".repeat(TerminalText.MAX_LINE * 2 + 5));
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(TerminalText.MAX_LINE));
    }

    @Test
    void theTranscriptIsSearchableWhileItIsStillBeingWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.txt.gz");
        try (TranscriptWriter transcript = new TranscriptWriter(Files.newOutputStream(file))) {
            transcript.output(0.5, "$ make\r\n\u001b[31merror: disk full\u001b[0m\r\n");
            transcript.output(2.25, "$ df -h\r\n");
            transcript.flush();
            // not closed yet: the gzip stream has no end, the search reads up to the flush
            List<TranscriptSearch.Match> found = new TranscriptSearch("DISK FULL", 10).matches(file);
            assertThat(found).containsExactly(new TranscriptSearch.Match(0.5, "error: disk full"));
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            in.transferTo(all);
        }
        assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo("0.5\t$ make\n0.5\terror: disk full\n2.25\t$ df -h\n");
    }
}
