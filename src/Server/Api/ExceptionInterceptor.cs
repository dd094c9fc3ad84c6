using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DocStore.Server.Api;

/// <summary>
/// The last line of the error contract: an exception that is not already a gRPC status is logged
/// with its details and returned as a plain INTERNAL without a stack trace, and a call the client
/// cancelled ends as CANCELLED. A call whose deadline has already passed when it reaches the service
/// ends as DEADLINE_EXCEEDED without doing any work: grpc-dotnet runs it otherwise, and an Upsert
/// whose caller has given up would still commit.
/// </summary>
internal sealed partial class ExceptionInterceptor(ILogger<ExceptionInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Deadline <= DateTime.UtcNow || SpentOnArrival(context))
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before it started; nothing was done."));
        }

        try
        {
            return await continuation(request, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException e:
                Log.CallFailed(logger, context.Method, e.StatusCode, e.Status.Detail);
                return e;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return context.Deadline <= DateTime.UtcNow
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before it completed."))
                    : new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            default:
                Log.UnhandledException(logger, context.Method, exception);
                return new RpcException(new Status(StatusCode.Internal, "An internal error occurred. The server log has the details."));
        }
    }

    /// <summary>
    /// Whether the caller's <c>grpc-timeout</c> is shorter than a tick (100 ns), and so spent before the
    /// call arrived: grpc-dotnet rounds such a timeout to zero and then runs the call without a deadline.
    /// </summary>
    private static bool SpentOnArrival(ServerCallContext context)
    {
        var header = context.GetHttpContext().Request.Headers["grpc-timeout"].ToString();
        if (header.Length < 2 || !long.TryParse(header.AsSpan(0, header.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        return header[^1] switch
        {
            'n' => amount < 100,
            'u' or 'm' or 'S' or 'M' or 'H' => amount == 0,
            _ => false,
        };
    }
}
