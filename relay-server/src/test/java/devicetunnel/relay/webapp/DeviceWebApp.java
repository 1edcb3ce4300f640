package devicetunnel.relay.webapp;

import io.javalin.Javalin;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on the device's side (loopback, port 0), what an operator's web app would be:
 * a streamed body that waits for the test between its two halves, header and cookie echoes, a
 * cookie setter that tries to reach the parent domain, a body echo and a websocket echo.
 */
final class DeviceWebApp implements AutoCloseable {
    /** Released by the test once the first half of {@code /stream} arrived through the relay. */
    final CountDownLatch firstHalfSeen = new CountDownLatch(1);
    private final Javalin app;

    DeviceWebApp() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get("/stream", ctx -> {
                ctx.status(200).contentType("text/plain");
                OutputStream out = ctx.res().getOutputStream();
                out.write("first half\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                boolean seen = firstHalfSeen.await(20, TimeUnit.SECONDS);
                out.write((seen ? "second half\n" : "never seen\n").getBytes(StandardCharsets.UTF_8));
            });
            cfg.routes.get("/headers", ctx -> ctx.result("cookie=" + ctx.header("Cookie") + "\nhost=" + ctx.header("Host")
                    + "\nproto=" + ctx.header("X-Forwarded-Proto")));
            cfg.routes.get("/set-cookie", ctx -> {
                ctx.res().addHeader("Set-Cookie", "appsession=s1; Domain=localhost; Path=/; HttpOnly");
                ctx.res().addHeader("Set-Cookie", "devtunnel_app=forged; Path=/");
                ctx.result("cookie set");
            });
            cfg.routes.get("/go-home", ctx -> ctx.redirect("http://127.0.0.1:" + ctx.port() + "/headers"));
            cfg.routes.post("/echo", ctx -> ctx.result(ctx.bodyAsBytes()));
            cfg.routes.get("/", ctx -> ctx.html("<!doctype html><title>device app</title><p id=hello>hello from the device</p>"
                    + "<p id=cookie></p><script src=/app.js></script>"));
            cfg.routes.get("/app.js", ctx -> ctx.contentType("text/javascript").result(
                    "document.cookie='fromscript=1; path=/';"
                            + "var ws=new WebSocket('ws://'+location.host+'/ws');"
                            + "ws.onopen=function(){ws.send('ping from page')};"
                            + "ws.onmessage=function(e){document.getElementById('hello').textContent='echo: '+e.data};"
                            + "document.getElementById('cookie').textContent='cookies: '+document.cookie;"));
            cfg.routes.ws("/ws", ws -> ws.onMessage(ctx -> ctx.send(ctx.message())));
        }).start("127.0.0.1", 0);
    }

    int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
