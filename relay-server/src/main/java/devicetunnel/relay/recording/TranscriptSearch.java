package devicetunnel.relay.recording;

import devicetunnel.relay.store.RecordingStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finds text in recordings' transcripts ({@link TranscriptWriter}): a case-insensitive substring
 * match, line by line, reporting the first few matching lines of each recording with their times.
 * A transcript still being written is read up to its last flush.
 */
public final class TranscriptSearch {
    /** Recordings one search reads at most (newest first); the filters narrow the search further back. */
    public static final int MAX_SCANNED = 2000;
    /** Matching lines reported per recording. */
    static final int MAX_MATCHES = 5;

    /** One matching line, at {@code at} seconds into the recording. */
    public record Match(double at, String line) {}

    /** A recording that contains the text; {@code matches} is non-empty, the first is the earliest. */
    public record Hit(RecordingStore.Entry entry, List<Match> matches) {}

    private final String needle;
    private final int limit;

    TranscriptSearch(String query, int limit) {
        this.needle = query.toLowerCase(Locale.ROOT);
        this.limit = limit;
    }

    List<Hit> search(List<RecordingStore.Entry> candidates, Function<RecordingStore.Entry, Path> transcript) {
        List<Hit> hits = new ArrayList<>();
        for (RecordingStore.Entry e : candidates) {
            List<Match> matches = matches(transcript.apply(e));
            if (!matches.isEmpty()) {
                hits.add(new Hit(e, matches));
                if (hits.size() == limit) {
                    break;
                }
            }
        }
        return hits;
    }

    /** The first matching lines of one transcript; none when it is missing (a recording from before transcripts). */
    List<Match> matches(Path file) {
        List<Match> matches = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new UnfinishedGzipInputStream(Files.newInputStream(file), 8 * 1024), StandardCharsets.UTF_8))) {
            String line;
            while (matches.size() < MAX_MATCHES && (line = in.readLine()) != null) {
                int tab = line.indexOf('\t');
                if (tab > 0 && line.toLowerCase(Locale.ROOT).indexOf(needle, tab + 1) >= 0) {
                    matches.add(new Match(Double.parseDouble(line.substring(0, tab)), line.substring(tab + 1)));
                }
            }
        } catch (NoSuchFileException none) {
            // a recording without a transcript has no text to find
        } catch (IOException | NumberFormatException e) {
            // a damaged transcript matches what could be read of it
        }
        return matches;
    }
}
