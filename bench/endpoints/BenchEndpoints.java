import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/**
 * bench/release-user.sh: the tests' local AWS endpoints, each as its own process, on 127.0.0.1 only.
 * <pre>
 *   java -cp TEST_CLASSPATH:target/test-classes:CLASSES BenchEndpoints s3 BUCKET
 *       S3Proxy (tests/S3Endpoint, in-memory store) with BUCKET created; prints S3Proxy's own URL (no recording front)
 *   java -cp ... BenchEndpoints codedeploy APPLICATION GROUP
 *       tests/CodeDeployEndpoint with that group; prints its URL and a control URL: GET CONTROL/done marks every
 *       deployment Succeeded (the group takes one active deployment at a time) and answers the CreateDeployment count
 * </pre>
 * Runs until killed.
 */
public final class BenchEndpoints {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "s3" -> {
                S3Endpoint s3 = new S3Endpoint();
                s3.createBucket(args[1]);
                System.out.println(s3.backend());
            }
            case "codedeploy" -> {
                CodeDeployEndpoint cd = new CodeDeployEndpoint().group(args[1], args[2]);
                HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                control.createContext("/done", x -> {
                    cd.deployments.values().forEach(d -> d.status = "Succeeded");
                    byte[] b = (cd.calls("CreateDeployment").size() + "\n").getBytes(StandardCharsets.US_ASCII);
                    x.sendResponseHeaders(200, b.length);
                    try (OutputStream o = x.getResponseBody()) {
                        o.write(b);
                    }
                });
                control.start();
                System.out.println(cd.uri() + " http://127.0.0.1:" + control.getAddress().getPort());
            }
            default -> throw new IOException("usage: BenchEndpoints s3 BUCKET | codedeploy APPLICATION GROUP");
        }
        System.out.flush();
        Thread.currentThread().join();
    }
}
