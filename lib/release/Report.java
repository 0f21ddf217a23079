//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;


/**
 * What a release tells, and where: one line per step on the command's error writer ({@code [3/7] image: ... (1.2 s)}),
 * a failed deployment explained (each distinct failing hook once, with the instances it hit, and the rollback), in
 * GitHub Actions the {@code ::error} annotations, the job summary and the step outputs, and at the end the result on
 * the command's output: one line, or {@link ReleaseResult} with {@code --json}. Each step method runs its step and
 * keeps what it reached for the result.
 */
final class Report {
    private static final int STEPS = 7;
    private final PrintWriter out;
    private final Log log;
    private final Actions gha;
    private final boolean json;
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private Plan plan;
    private Versioning version;
    private ImageRef image;
    private Kit.Zip zip;
    private Target.Revision revision;
    private String deploymentId;
    private CodeDeploy.Outcome outcome;

    /** {@code verbose}: docker build and push output as it comes (else only the end of it, when they fail). */
    Report(PrintWriter out, PrintWriter err, Map<String, String> env, boolean json, boolean verbose) {
        this.out = out;
        this.log = new Log(err, verbose);
        this.gha = new Actions(env, log);
        this.json = json;
    }

    Log log() {
        return log;
    }

    /** The plan this release follows: its bucket, application and group appear in the result and the summary. */
    Plan plan(Plan plan) {
        this.plan = plan;
        return plan;
    }

    Versioning version(Supplier<Versioning> body) {
        version = step("version", body, v -> v.version() + " (" + v.how() + "), commit " + v.commit());
        return version;
    }

    Kit check(Supplier<Target.Done<Kit>> body) {
        return step("check", body);
    }

    ImageRef image(Supplier<Target.Done<ImageRef>> body) {
        image = step("image", body);
        return image;
    }

    Kit.Zip bundle(Supplier<Kit.Zip> body) {
        zip = step("bundle", body, z -> z.bytes().length + " bytes, " + z.files().size() + " files, sha256 " + z.sha256().substring(0, 16)
                + (image.digest() == null ? " (the digest is known only after the push)" : ""));
        return zip;
    }

    Target.Revision upload(Supplier<Target.Done<Target.Revision>> body) {
        revision = step("upload", body);
        return revision;
    }

    String deploy(Supplier<Target.Done<String>> body) {
        deploymentId = step("deploy", body);
        return deploymentId;
    }

    CodeDeploy.Outcome await(Supplier<CodeDeploy.Outcome> body) {
        outcome = step("wait", body, o -> o.status() + (o.rollback() == null ? "" : "; rollback " + o.rollback().deploymentId() + " " + o.rollback().status()));
        return outcome;
    }

    /** A release that stops before the wait: a dry run (Planned) or {@code --no-wait} (Created). */
    int stopped() {
        String status = plan.dryRun() ? "Planned" : "Created";
        if (deploymentId != null) {
            gha.summary(Summary.of(this, status));
        }
        return end(status, Cli.OK, null);
    }

    /** The deployment's end: success, or the failure explained and the rollback, which decides the exit code. */
    int finished() {
        if (outcome.succeeded()) {
            gha.summary(Summary.of(this, "Succeeded"));
            return end("Succeeded", Cli.OK, null);
        }
        explain(outcome);
        CodeDeploy.Outcome back = outcome.rollback();
        boolean rolledBack = back != null && back.succeeded();
        if (back != null && !rolledBack) {
            explain(back);
        }
        String status = rolledBack ? "RolledBack" : outcome.status();
        gha.summary(Summary.of(this, status));
        log.info("release: deployment %s %s%s", outcome.deploymentId(), outcome.status(), back == null ? ""
                : "; rollback " + back.deploymentId() + " " + back.status() + (rolledBack ? ": the previous revision is serving again" : ""));
        return end(status, rolledBack ? Cli.ROLLED_BACK : Cli.FAILED, null);
    }

    /** A failure the release detected: annotated, summarised and in the result; the caller rethrows it. */
    Cli.Fail failed(Cli.Fail f) {
        gha.error("release failed", f.getMessage());
        gha.summary("### release failed\n\n" + f.getMessage() + "\n");
        end("Error", f.exitCode, f.getMessage());
        return f;
    }

    /** Each failing hook once: a line with the instances it hit, its log tail indented, and one annotation. */
    private void explain(CodeDeploy.Outcome o) {
        if (o.errorCode() != null) {
            log.info("release: deployment %s %s: %s: %s", o.deploymentId(), o.status(), o.errorCode(), o.errorMessage());
        }
        for (EventFailure f : o.failures()) {
            List<String> lines = f.describe(); // masked where EventFailure is made
            log.info("release: %s: %s", o.deploymentId(), lines.get(0));
            lines.subList(1, lines.size()).forEach(l -> log.raw("    " + l));
            gha.error(f.event() + " failed (" + o.deploymentId() + ")", String.join("\n", lines));
        }
        if (o.failures().isEmpty() && o.errorCode() != null) {
            gha.error("deployment " + o.deploymentId() + " " + o.status(), o.errorCode() + ": " + o.errorMessage());
        }
    }

    /** The step outputs of a created deployment, then the result on stdout. */
    private int end(String status, int exitCode, String error) {
        if (deploymentId != null) {
            gha.output("deployment-id", deploymentId);
            gha.output("image", image.toString());
            gha.output("version", version.version());
        }
        ReleaseResult r = result(status, exitCode, error);
        if (json) {
            out.println(Json.write(r));
        } else if (error == null) {
            out.println(status + " " + r.version() + " " + image + (deploymentId == null ? "" : " " + deploymentId));
        }
        out.flush();
        return exitCode;
    }

    private ReleaseResult result(String status, int exitCode, String error) {
        String bucket = plan == null ? null : plan.storage().bucket();
        return ReleaseResult.of(new ReleaseResult.Reached(version, image, bucket, zip, revision, deploymentId, outcome),
                status, exitCode, error, new LinkedHashMap<>(timings));
    }

    private <T> T step(String name, Supplier<Target.Done<T>> body) {
        return step(name, body, Target.Done::detail).value();
    }

    private <T> T step(String name, Supplier<T> body, Function<T, String> detail) {
        Instant t = Instant.now();
        T value = body.get();
        double s = Duration.between(t, Instant.now()).toMillis() / 1000.0;
        timings.put(name, s);
        log.info("release: [%d/%d] %s: %s (%.1f s)", timings.size(), STEPS, name, detail.apply(value), s);
        return value;
    }

    /** The job summary: what was released where, the rollback, and each failing hook with its log tail. */
    private static final class Summary {
        static String of(Report r, String status) {
            Plan.Deployment d = r.plan.deployment();
            StringBuilder md = new StringBuilder("### release " + r.version.version() + ": " + status + "\n\n| | |\n|---|---|\n");
            md.append("| version | `").append(r.version.version()).append("` |\n| commit | `").append(r.version.commit()).append("` |\n");
            md.append("| image | `").append(r.image).append("` |\n| bundle | `s3://").append(r.plan.storage().bucket()).append('/')
                    .append(r.zip.key()).append("` |\n");
            md.append("| deployment | `").append(r.deploymentId).append("` (").append(d.application()).append(" / ").append(d.group()).append(") |\n");
            CodeDeploy.Outcome o = r.outcome;
            if (o != null && o.rollback() != null) {
                md.append("| rollback | `").append(o.rollback().deploymentId()).append("` ").append(o.rollback().status()).append(" |\n");
            }
            for (EventFailure f : o == null ? List.<EventFailure>of() : o.failures()) {
                List<String> lines = f.describe();
                md.append("\n**").append(lines.get(0).replace("|", "\\|")).append("**\n");
                if (lines.size() > 1) {
                    md.append("\n```\n").append(f.logTail().strip()).append("\n```\n");
                }
            }
            return md.toString();
        }
    }
}
