import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark (not part of the test suite; run it with bench/doctor.sh): {@code ./jbang doctor --sysroot S} warm (after
 * one run that builds it) on a realistic copy of an instance: a week of agent logs (7 rotated files of 20,000 lines,
 * the seed's AccessDenied incident in the newest), a wire log, root's and a user's ~/.aws, five deployments of our
 * hooks; the metadata service and the clock on 127.0.0.1. Prints the median and range of the wall time.
 */
class DoctorBench {
    static final int RUNS = Integer.getInteger("bench.runs", 10);

    @Test
    @EnabledIfSystemProperty(named = "bench.runs", matches = "\\d+", disabledReason = "a benchmark: bench/doctor.sh runs it")
    void doctorWarmOnARealisticSysroot(@TempDir Path s) throws Exception {
        Sysroots.healthy(s);
        Path logs = s.resolve("var/log/aws/codedeploy-agent");
        LocalDateTime day = LocalDateTime.now().minusDays(7);
        for (int d = 0; d < 7; d++, day = day.plusDays(1)) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                b.append(day.plusSeconds(i * 4L).format(Sysroots.AT).replace(' ', 'T'))
                        .append(" INFO  [codedeploy-agent(4242)]: InstanceAgent::Plugins::CodeDeployPlugin::CommandPoller: Sleeping 90 seconds.\n");
            }
            Files.writeString(logs.resolve("codedeploy-agent." + day.format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE) + ".log"), b);
        }
        Sysroots.appendAgentLog(s, Files.readString(Sysroots.FIXTURES.resolve("access-denied.agent.log")));
        Files.copy(Sysroots.FIXTURES.resolve("unrecognized-client.wire.log"), logs.resolve("codedeploy-agent.aws_wire.log"));
        Sysroots.rootKey(s);
        Sysroots.write(s, "home/ubuntu/.aws/credentials", "[default]\naws_access_key_id=" + Sysroots.KEY + "\n");
        for (int i = 1; i <= 5; i++) {
            Sysroots.deployment(s, "d-BENCH0000" + i, LocalDateTime.now().minusHours(6 - i), "validate: healthy after 3.1 s");
        }
        try (ImdsStub imds = new ImdsStub()) {
            List<String> cmd = List.of(Path.of("jbang").toAbsolutePath().toString(), "doctor", "--sysroot", s.toString(),
                    "--imds-endpoint", imds.url(), "--clock-url", imds.clockUrl());
            DeployLocalFixture.run(cmd, Path.of("").toAbsolutePath(), Map.of(), false); // builds it once
            List<Double> times = new ArrayList<>();
            DeployLocalFixture.Run last = null;
            for (int i = 0; i < RUNS; i++) {
                long t = System.nanoTime();
                last = DeployLocalFixture.run(cmd, Path.of("").toAbsolutePath(), Map.of(), false);
                times.add((System.nanoTime() - t) / 1e9);
            }
            Collections.sort(times);
            long size = Files.walk(logs).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            System.out.printf("doctor --sysroot (agent logs %.1f MB), %d warm runs: median %.2f s, range %.2f-%.2f s; exit %d, last line: %s%n",
                    size / 1e6, RUNS, times.get(RUNS / 2), times.get(0), times.get(RUNS - 1), last.exit(),
                    last.out().lines().reduce((a, b) -> b).orElse(""));
        }
    }
}
