//DEPS software.amazon.awssdk:bom:2.40.2@pom
//DEPS software.amazon.awssdk:codedeploy:2.40.2

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * A request that never reached its service says where it went (the SDK's own message says "see cause for the exact
 * endpoint", and the cause does not): the endpoint, in the message. The exception keeps its class and cause (the SDK
 * refuses an interceptor that changes the class, and callers tell a timeout from a refusal by it).
 */
final class NameTheEndpoint implements ExecutionInterceptor {
    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable t = context.exception();
        if (!(t instanceof SdkClientException) || t instanceof SdkServiceException || context.httpRequest().isEmpty()) {
            return t;
        }
        SdkHttpRequest r = context.httpRequest().get();
        String why = String.valueOf(t.getMessage()).replace(" (See cause for the exact endpoint)", "");
        String where = " [endpoint " + r.protocol() + "://" + r.host() + ":" + r.port() + "]";
        return ((SdkClientException) t).toBuilder().message(why + where).build();
    }
}
