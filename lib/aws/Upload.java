//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:s3:2.40.2
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.codedeploy.model.RevisionLocation;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The S3 side of a release: the bucket checked before anything is built (it exists, is in this region, and this role
 * may list it), then one PutObject of the bundle, as {@code aws deploy push} does it: a SHA-256 checksum, server-side
 * encryption and the release's version and commit as metadata. The answer is the revision CodeDeploy registers.
 */
final class Upload {
    private Upload() {}

    /** HeadBucket: a bucket in another region, an absent bucket and a refusal each fail with their own line. */
    static void checkBucket(S3Client s3, String bucket, String region, int attempts) {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            String where = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse()
                    .firstMatchingHeader("x-amz-bucket-region").orElse(null);
            if (e.statusCode() == 301 || (where != null && !where.equals(region) && e.statusCode() != 403)) {
                throw new Cli.Fail(Cli.AWS, "bucket " + bucket + " is in region " + (where == null ? "(another)" : where) + ", not " + region,
                        "CodeDeploy reads bundles from its own region: use a bucket in " + region + " or --region " + where);
            }
            if (e.statusCode() == 404) {
                throw new Cli.Fail(Cli.AWS, "bucket " + bucket + " does not exist", "create it in " + region + " or fix --bucket");
            }
            throw Aws.fail(e, "s3:ListBucket", "s3://" + bucket, attempts);
        } catch (SdkException e) {
            throw Aws.fail(e, "s3:ListBucket", "s3://" + bucket, attempts);
        }
    }

    /**
     * PutObject of {@code bytes} (whose SHA-256 is {@code sha256}, hex) at {@code bucket}/{@code key}; {@code sse} is
     * AES256, aws:kms (with {@code kmsKey}, else the bucket's AWS managed key) or none. The revision has the ETag and
     * the version id S3 answered.
     */
    static RevisionLocation put(S3Client s3, String bucket, String key, byte[] bytes, String sha256, String sse, String kmsKey,
                                Map<String, String> metadata, int attempts) {
        PutObjectResponse put;
        try {
            put = s3.putObject(r -> {
                r.bucket(bucket).key(key).contentType("application/zip").contentLength((long) bytes.length)
                        .checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256))).metadata(metadata);
                if (!sse.equals("none")) {
                    r.serverSideEncryption(ServerSideEncryption.fromValue(sse));
                    if (sse.equals("aws:kms") && kmsKey != null) {
                        r.ssekmsKeyId(kmsKey);
                    }
                }
            }, RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw Aws.fail(e, "s3:PutObject", "s3://" + bucket + "/" + key, attempts);
        }
        String etag = put.eTag() == null ? null : put.eTag().replace("\"", "");
        return RevisionLocation.builder().revisionType("S3")
                .s3Location(l -> l.bucket(bucket).key(key).bundleType("zip").eTag(etag).version(put.versionId())).build();
    }
}
