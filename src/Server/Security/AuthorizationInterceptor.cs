using System.Globalization;
using DocStore.Server.Api;
using DocStore.Server.Api.Messages;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocStore.Server.Security;

/// <summary>
/// The one place calls are authenticated and authorized: every method has a rule in <see cref="MethodActions"/>
/// (health open, reflection for authenticated callers, every DocStore method an action on the request's
/// collection), and every write, denial and failed authentication goes to the <see cref="Audit"/> trail.
/// </summary>
/// <remarks>
/// Streams are authorized once, at their start. A stream opened with a bearer token ends with UNAUTHENTICATED at
/// its first message after the token expires (WatchChanges sends heartbeats, so within one heartbeat interval).
/// </remarks>
internal sealed class AuthorizationInterceptor(CallerAuthenticator authenticator, Audit audit, HealthOptions health, TimeProvider time) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, rule) = await AuthorizeAsync(request, context);
        if (caller is null || !rule.IsWrite || request is not ICollectionRequest named)
        {
            return await continuation(request, context);
        }

        // The service fills the call's record (the keys it found, the etag it wrote); the audit trail reads it after.
        var call = new DocumentCall(named.Collection, rule.Action);
        call.Open(context);
        TResponse response;
        try
        {
            response = await continuation(request, context);
        }
        catch (RpcException e)
        {
            audit.Write(caller, call, request, e.StatusCode.ToString());
            throw;
        }
        catch (Exception e)
        {
            audit.Write(caller, call, request, e is OperationCanceledException ? nameof(StatusCode.Cancelled) : nameof(StatusCode.Internal));
            throw;
        }

        audit.Write(caller, call, request, nameof(StatusCode.OK));
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, _) = await AuthorizeAsync(request, context);
        await continuation(request, Expiring(caller, responseStream), context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(request: null, context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, _) = await AuthorizeAsync(request: null, context);
        await continuation(requestStream, Expiring(caller, responseStream), context);
    }

    /// <summary>
    /// The caller, or null for an open method; throws UNAUTHENTICATED or PERMISSION_DENIED. <paramref name="request"/> is
    /// the request as the service receives it (a raw-byte stand-in for a document write), null for a streamed one.
    /// </summary>
    private async Task<(Caller? Caller, MethodRule Rule)> AuthorizeAsync(object? request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var rule = MethodActions.Find(context.Method);
        if (rule == MethodRule.Open)
        {
            return (null, rule);
        }

        if (health.Port > 0 && http.Connection.LocalPort == health.Port)
        {
            throw SecurityErrors.HealthPortOnly();
        }

        var authentication = await authenticator.AuthenticateAsync(http);
        if (authentication.Caller is not { } caller)
        {
            audit.Unauthenticated(rule, context.Method, request, authentication.FailureReason ?? "");
            throw SecurityErrors.Unauthenticated(authenticator.Mode == AuthMode.Certificate
                ? "The call has no valid client certificate."
                : "The call has no valid bearer token.");
        }

        if (rule is null)
        {
            // A method nobody gave an action: refused rather than open (MethodActionsTests catch it first).
            var unmapped = new Requirement("", context.Method);
            audit.Denied(caller, unmapped, request);
            throw SecurityErrors.PermissionDenied(caller.Principal, unmapped);
        }

        if (rule.Access == Access.Authorized)
        {
            if (request is null)
            {
                throw new InvalidOperationException($"{context.Method} streams its requests; its rule cannot read a collection from them.");
            }

            foreach (var requirement in rule.RequirementsOf(request))
            {
                if (!caller.Permissions.Allows(requirement.Collection, requirement.Action))
                {
                    audit.Denied(caller, requirement, request);
                    throw SecurityErrors.PermissionDenied(caller.Principal, requirement);
                }
            }
        }

        return (caller, rule);
    }

    private IServerStreamWriter<T> Expiring<T>(Caller? caller, IServerStreamWriter<T> inner) =>
        caller?.ExpiresAt is { } expiresAt && authenticator.Mode == AuthMode.Jwt ? new ExpiringStreamWriter<T>(inner, expiresAt, time) : inner;

    /// <summary>Ends a stream with UNAUTHENTICATED at its first message after the caller's token expired.</summary>
    private sealed class ExpiringStreamWriter<T>(IServerStreamWriter<T> inner, DateTimeOffset expiresAt, TimeProvider time) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (time.GetUtcNow() >= expiresAt)
            {
                throw SecurityErrors.Unauthenticated(string.Create(CultureInfo.InvariantCulture,
                    $"The bearer token expired at {expiresAt:u} while the stream was open; call again with a new token."));
            }

            return inner.WriteAsync(message, cancellationToken);
        }
    }
}
