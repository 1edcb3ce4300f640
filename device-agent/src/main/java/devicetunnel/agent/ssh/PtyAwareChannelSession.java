package devicetunnel.agent.ssh;

import java.io.IOException;
import java.util.Map;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * A session channel that remembers whether the client asked for a PTY. The shell factory needs to
 * know (a shell without a PTY is a script runner, governed by the exec switch), and the
 * environment cannot tell: a client may send {@code TERM} as a plain env request.
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
}
