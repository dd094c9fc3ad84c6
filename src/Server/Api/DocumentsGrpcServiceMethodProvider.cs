using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DocStore.Server.Api;

/// <summary>
/// Binds <see cref="DocumentsGrpcService"/> to every method of the contract, with request decoding that
/// answers an undecodable message (invalid UTF-8, nesting past protobuf's recursion limit) with
/// INVALID_ARGUMENT. grpc-dotnet decodes before any interceptor runs and reports such failures as
/// UNKNOWN, which would leave a client mistake without a clear error.
/// </summary>
/// <remarks>
/// The methods come from the generated <c>BindService</c>, so a method added to the contract but not
/// implemented here stops start-up instead of answering UNIMPLEMENTED.
/// </remarks>
internal sealed class DocumentsGrpcServiceMethodProvider : IServiceMethodProvider<DocumentsGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DocumentsGrpcService> context) =>
        V1.DocStoreService.BindService(new Binder(context), null);

    private static Marshaller<T> DecodeOrReject<T>(Marshaller<T> marshaller) where T : class =>
        new(marshaller.ContextualSerializer, context =>
        {
            try
            {
                return marshaller.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw DocStoreErrors.UndecodableRequest(e);
            }
        });

    private sealed class Binder(ServiceMethodProviderContext<DocumentsGrpcService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var implementation = typeof(DocumentsGrpcService).GetMethod(method.Name, [typeof(TRequest), typeof(ServerCallContext)])
                ?? throw new InvalidOperationException($"{nameof(DocumentsGrpcService)} does not implement {method.FullName}.");
            var invoker = implementation.CreateDelegate<UnaryServerMethod<DocumentsGrpcService, TRequest, TResponse>>();

            var guarded = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, DecodeOrReject(method.RequestMarshaller), method.ResponseMarshaller);
            context.AddUnaryMethod(guarded, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)], invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var implementation = typeof(DocumentsGrpcService).GetMethod(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)])
                ?? throw new InvalidOperationException($"{nameof(DocumentsGrpcService)} does not implement {method.FullName}.");
            var invoker = implementation.CreateDelegate<ServerStreamingServerMethod<DocumentsGrpcService, TRequest, TResponse>>();

            var guarded = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, DecodeOrReject(method.RequestMarshaller), method.ResponseMarshaller);
            context.AddServerStreamingMethod(guarded, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)], invoker);
        }
    }
}
