using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Api;

/// <summary>
/// Reads the 5-byte gRPC frame header of a request before grpc-dotnet does, and answers a header
/// that cannot start a valid message itself: a length above the receive limit (0xFFFFFFFF among
/// them, which grpc-dotnet reports as UNKNOWN with a stack trace) gets RESOURCE_EXHAUSTED, a
/// compressed flag other than 0 or 1 gets INVALID_ARGUMENT. Nothing of the message is read or
/// buffered for such a call. Valid headers are left unread for grpc-dotnet.
/// </summary>
internal sealed partial class FrameGuard(IOptions<GrpcServiceOptions> options, ILogger<FrameGuard> logger) : IStartupFilter
{
    private const int HeaderSize = 5;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true
                && await RejectAsync(context))
            {
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>Answers the call when its frame header is invalid; <see langword="true"/> when it did.</summary>
    private async Task<bool> RejectAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var result = await reader.ReadAtLeastAsync(HeaderSize, context.RequestAborted);
        var buffer = result.Buffer;
        if (buffer.Length < HeaderSize)
        {
            reader.AdvanceTo(buffer.Start);
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        reader.AdvanceTo(buffer.Start);

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        var limit = options.Value.MaxReceiveMessageSize ?? int.MaxValue;
        (int Status, string Message)? error = header[0] > 1
            ? (3, "The request's gRPC frame has an invalid compressed flag.")
            : length > (uint)limit
                ? (8, string.Create(CultureInfo.InvariantCulture, $"The request message is {length} bytes; the limit is {limit} bytes."))
                : null;
        if (error is not { } answer)
        {
            return false;
        }

        Log.FrameRejected(logger, context.Request.Path, answer.Status, length);
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = answer.Status.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = answer.Message;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 102, EventName = "FrameRejected", Level = LogLevel.Debug, Message = "{Path}: request frame header refused with status {Status} (declared length {Length})")]
        public static partial void FrameRejected(ILogger logger, PathString path, int status, uint length);
    }
}
