using System.Reflection;
using DocStore.Server.Api.Wire;
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
            catch (MalformedWireException e)
            {
                throw DocStoreErrors.UndecodableRequest(e.Message);
            }
        });

    /// <summary>
    /// The marshaller for a type the implementation takes or returns: the contract's own, or, where the
    /// implementation uses a type of <c>Api/Wire</c> instead of the generated message (to keep a
    /// document's bytes as they are), that type's <c>Marshaller</c>.
    /// </summary>
    private static Marshaller<T> MarshallerFor<T, TGenerated>(Marshaller<TGenerated> generated) where T : class =>
        typeof(T) == typeof(TGenerated)
            ? (Marshaller<T>)(object)generated
            : (Marshaller<T>)(typeof(T).GetProperty("Marshaller")?.GetValue(null)
                ?? throw new InvalidOperationException($"{typeof(T).Name} has no Marshaller to stand in for {typeof(TGenerated).Name}."));

    private sealed class Binder(ServiceMethodProviderContext<DocumentsGrpcService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            // The implementation takes the generated request or a stand-in of Api/Wire (DocumentInput<T>),
            // and returns the generated response or a stand-in (DocumentReply).
            var implementation = typeof(DocumentsGrpcService).GetMethods().SingleOrDefault(m => m.Name == method.Name && m.GetParameters().Length == 2)
                ?? throw new InvalidOperationException($"{nameof(DocumentsGrpcService)} does not implement {method.FullName}.");
            var request = implementation.GetParameters()[0].ParameterType;
            var response = implementation.ReturnType.GetGenericArguments()[0];
            typeof(Binder).GetMethod(nameof(Add), BindingFlags.NonPublic | BindingFlags.Instance)!
                .MakeGenericMethod(typeof(TRequest), typeof(TResponse), request, response)
                .Invoke(this, [method, implementation]);
        }

        private void Add<TRequest, TResponse, TImplRequest, TImplResponse>(Method<TRequest, TResponse> method, MethodInfo implementation)
            where TRequest : class
            where TResponse : class
            where TImplRequest : class
            where TImplResponse : class
        {
            var invoker = implementation.CreateDelegate<UnaryServerMethod<DocumentsGrpcService, TImplRequest, TImplResponse>>();
            var guarded = new Method<TImplRequest, TImplResponse>(
                method.Type,
                method.ServiceName,
                method.Name,
                DecodeOrReject(MarshallerFor<TImplRequest, TRequest>(method.RequestMarshaller)),
                MarshallerFor<TImplResponse, TResponse>(method.ResponseMarshaller));
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
