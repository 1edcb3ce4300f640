package devicetunnel.relay.bench;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The console's file routes (HTTP upload and download, SFTP to the device underneath): MiB/s for
 * one file each way, median of three. The device's disk is this machine's, so both ends share it.
 */
final class FileRoutes {
    static final String FIGURE = "file routes";

    static void run(BenchRig rig, BenchOptions options, Path work, Report report) throws Exception {
        int mib = options.pick(16, 64);
        Path local = Files.createDirectories(work.resolve("files")).resolve("local.bin");
        byte[] chunk = new byte[1024 * 1024];
        new Random(7).nextBytes(chunk);
        try (var out = Files.newOutputStream(local)) {
            for (int i = 0; i < mib; i++) {
                out.write(chunk);
            }
        }
        Path remote = work.resolve("files").resolve("on-device.bin");
        Path back = work.resolve("files").resolve("back.bin");
        double[] up = new double[3];
        double[] down = new double[3];
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> put = rig.http().send(rig.fileRequest(remote).PUT(HttpRequest.BodyPublishers.ofFile(local)).build(),
                    HttpResponse.BodyHandlers.ofString());
            up[i] = mib / ((System.nanoTime() - t0) / 1e9);
            check(put.statusCode() == 201, "upload answered " + put.statusCode() + ": " + put.body());
            t0 = System.nanoTime();
            HttpResponse<Path> get = rig.http().send(rig.fileRequest(remote).GET().build(), HttpResponse.BodyHandlers.ofFile(back));
            down[i] = mib / ((System.nanoTime() - t0) / 1e9);
            check(get.statusCode() == 200 && Files.size(back) == Files.size(local), "download answered " + get.statusCode());
        }
        String note = mib + " MiB, median of 3";
        report.add(new Report.Row(FIGURE, "upload (HTTP PUT -> SFTP)", Stats.median(up), "MiB/s", null, null, null, note));
        report.add(new Report.Row(FIGURE, "download (SFTP -> HTTP GET)", Stats.median(down), "MiB/s", null, null, null, note));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    private FileRoutes() {}
}
