package devicetunnel.agent.ssh;

/** Named daemon threads for blocking copies, so a stuck copy never keeps the JVM alive. */
final class Threads {
    private Threads() {}

    static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
