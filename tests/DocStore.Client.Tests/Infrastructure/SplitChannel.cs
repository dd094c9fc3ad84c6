using Grpc.Core;

namespace DocStore.Client.Tests.Infrastructure;

/// <summary>
/// A channel that sends reads (Get) to one server and writes to another, as a load balancer may: one client
/// whose writes land on instance A and whose reads land on instance B.
/// </summary>
public sealed class SplitChannel(ChannelBase writes, ChannelBase reads) : ChannelBase("split")
{
    public override CallInvoker CreateCallInvoker() => new SplitInvoker(writes.CreateCallInvoker(), reads.CreateCallInvoker());

    private sealed class SplitInvoker(CallInvoker writes, CallInvoker reads) : CallInvoker
    {
        private CallInvoker For(IMethod method) => method.Name == "Get" ? reads : writes;

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            For(method).BlockingUnaryCall(method, host, options, request);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            For(method).AsyncUnaryCall(method, host, options, request);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            For(method).AsyncServerStreamingCall(method, host, options, request);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            For(method).AsyncClientStreamingCall(method, host, options);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            For(method).AsyncDuplexStreamingCall(method, host, options);
    }
}
