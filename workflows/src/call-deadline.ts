import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The gRPC interceptors of a connection whose every call has a deadline: a call made without
 * one (a signal sent while a request is being answered, say) fails after `callTimeoutMs`
 * instead of waiting, retries included, for a Temporal server that is away. The SDK's own retry
 * of transient failures stays, inside that deadline; a call given its own deadline
 * (`withDeadline`) keeps it. Not for connections that long-poll (workers, awaiting results).
 */
export function deadlineInterceptors(callTimeoutMs: number): GrpcInterceptor[] {
  // grpc-js chains interceptors by what nextCall returns (its InterceptingCallInterface); the
  // Interceptor type names the class that implements it.
  const deadline: GrpcInterceptor = (options, nextCall) =>
    nextCall(
      options.deadline === undefined
        ? { ...options, deadline: Date.now() + callTimeoutMs }
        : options,
    ) as ReturnType<GrpcInterceptor>;
  return [deadline, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())];
}
