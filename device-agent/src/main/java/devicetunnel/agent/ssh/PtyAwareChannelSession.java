package devicetunnel.agent.ssh;

import java.io.IOException;
import java.util.Map;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * A session channel that remembers whether the client asked for a PTY. The shell factory needs to
 * know (a shell without a PTY is a script runner, governed by the exec switch), and the
 * environment cannot tell: a client may send {@code TERM} as a plain env request.
 *
 * <p>It also takes the relay's {@value #NOTICE_REQUEST} request: a line the device's shell prints
 * for the operator (someone joined the shared session). Unknown to older agents, who ignore it.
 */
final class PtyAwareChannelSession extends ChannelSession {
    static final ChannelFactory FACTORY = new ChannelFactory() {
        @Override
        public String getName() {
            return "session";
        }

        @Override
        public Channel createChannel(Session session) {
            return new PtyAwareChannelSession();
        }
    };

    static final String NOTICE_REQUEST = "notice@devicetunnel";
    /** A notice is one short line; longer ones are cut. */
    private static final int MAX_NOTICE_CHARS = 200;

    private volatile boolean ptyRequested;

    boolean ptyRequested() {
        return ptyRequested;
    }

    @Override
    protected RequestHandler.Result handlePtyReqParsed(String term, int cols, int rows, int width, int height,
                                                       Map<PtyMode, Integer> modes) throws IOException {
        ptyRequested = true;
        return super.handlePtyReqParsed(term, cols, rows, width, height, modes);
    }

    @Override
    protected RequestHandler.Result handleInternalRequest(String type, boolean wantReply, Buffer buffer) throws IOException {
        if (!NOTICE_REQUEST.equals(type)) {
            return super.handleInternalRequest(type, wantReply, buffer);
        }
        String text = buffer.getString();
        if (commandInstance instanceof ShellChannel shell) {
            shell.notice(text.length() > MAX_NOTICE_CHARS ? text.substring(0, MAX_NOTICE_CHARS) : text);
            return RequestHandler.Result.ReplySuccess;
        }
        return RequestHandler.Result.ReplyFailure;
    }
}
