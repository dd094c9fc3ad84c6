using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DocStore.Server.Api;

/// <summary>
/// Checks the 5-byte header of every gRPC request frame as grpc-dotnet reads it, and answers a header
/// that cannot start a valid message: a length above the receive limit (0xFFFFFFFF among them, which
/// grpc-dotnet reports as UNKNOWN with a stack trace) gets RESOURCE_EXHAUSTED, a compressed flag other
/// than 0 or 1 gets INVALID_ARGUMENT. Nothing of such a message is buffered.
/// </summary>
/// <remarks>
/// The check sits in the request body's <see cref="PipeReader"/>, not ahead of grpc-dotnet: it looks
/// only at what grpc-dotnet's own read returns, so it never waits for a body. (Awaiting the first
/// frame before grpc-dotnet ran hung every call whose client sends nothing until the server answers:
/// a duplex stream such as reflection's, refused by authentication before any message.) grpc-dotnet
/// consumes whole frames only, so every buffer its reads return starts at a frame header.
/// </remarks>
internal sealed partial class FrameGuard(IOptions<GrpcServiceOptions> options, ILogger<FrameGuard> logger) : IStartupFilter
{
    private const int HeaderSize = 5;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var limit = options.Value.MaxReceiveMessageSize ?? int.MaxValue;
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                var reader = new CheckingReader(context.Request.BodyReader, limit, context.Request.Path, logger);
                context.Features.Set<IRequestBodyPipeFeature>(reader);
            }

            return nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>
    /// The status a frame header earns, or <see langword="null"/> when it may start a valid message.
    /// </summary>
    private static Status? Check(ReadOnlySequence<byte> buffer, int limit)
    {
        if (buffer.Length < HeaderSize)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return header[0] > 1
            ? new Status(StatusCode.InvalidArgument, "The request's gRPC frame has an invalid compressed flag.")
            : length > (uint)limit
                ? new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture, $"The request message is {length} bytes; the limit is {limit} bytes."))
                : null;
    }

    /// <summary>The request body as grpc-dotnet reads it, with each frame header checked on the way.</summary>
    private sealed class CheckingReader(PipeReader inner, int limit, PathString path, ILogger logger) : PipeReader, IRequestBodyPipeFeature
    {
        PipeReader IRequestBodyPipeFeature.Reader => this;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Checked(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            result = Checked(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private ReadResult Checked(ReadResult result)
        {
            if (Check(result.Buffer, limit) is not { } refused)
            {
                return result;
            }

            // The read ends here: hand the buffer back untouched, so that the body can be drained and completed.
            inner.AdvanceTo(result.Buffer.Start);
            Log.FrameRejected(logger, path, refused.StatusCode);
            throw new RpcException(refused);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 102, EventName = "FrameRejected", Level = LogLevel.Debug, Message = "{Path}: request frame header refused with {Status}")]
        public static partial void FrameRejected(ILogger logger, PathString path, StatusCode status);
    }
}
