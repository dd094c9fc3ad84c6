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
/// than 0 or 1 gets INVALID_ARGUMENT. Nothing of such a message is buffered. And it bounds what large
/// requests hold at once: a call whose message declares <see cref="LargeMessageBytes"/> or more takes
/// one of <see cref="MaxLargeMessages"/> slots, held to the end of the call, before grpc-dotnet buffers
/// the message; with none free it is refused (RESOURCE_EXHAUSTED, THROTTLED, with RetryInfo) from its
/// header, as Cosmos DB answers 429 under pressure.
/// </summary>
/// <remarks>
/// The check sits in the request body's <see cref="PipeReader"/>, not ahead of grpc-dotnet: it looks
/// only at what grpc-dotnet's own read returns, so it never waits for a body. (Awaiting the first
/// frame before grpc-dotnet ran hung every call whose client sends nothing until the server answers:
/// a duplex stream such as reflection's, refused by authentication before any message.) grpc-dotnet
/// consumes whole frames only, so every buffer its reads return starts at a frame header.
/// </remarks>
internal sealed partial class FrameGuard(IOptions<GrpcServiceOptions> options, ILogger<FrameGuard> logger) : IStartupFilter, IDisposable
{
    private const int HeaderSize = 5;

    /// <summary>Messages of this size or more count as large.</summary>
    internal const int LargeMessageBytes = 1024 * 1024;

    /// <summary>
    /// Large messages buffered and decoded at once, per process. Each can hold its message (up to the
    /// receive limit), the decoded request and the document's JSON: 16 keep that near 200 MB at most (docstore bench --scenario memory).
    /// </summary>
    internal const int MaxLargeMessages = 16;

    private readonly SemaphoreSlim _largeMessages = new(MaxLargeMessages, MaxLargeMessages);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var limit = options.Value.MaxReceiveMessageSize ?? int.MaxValue;
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                var reader = new CheckingReader(context, limit, _largeMessages, logger);
                context.Features.Set<IRequestBodyPipeFeature>(reader);
            }

            return nextMiddleware(context);
        });
        next(app);
    };

    public void Dispose() => _largeMessages.Dispose();

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
                ? new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture, $"The request message is {length} bytes; the limit is {limit} bytes (a 2 MB document fits; send it as document_json if its Struct form is larger)."))
                : null;
    }

    /// <summary>The request body as grpc-dotnet reads it, with each frame header checked on the way.</summary>
    private sealed class CheckingReader(HttpContext context, int limit, SemaphoreSlim largeMessages, ILogger logger) : PipeReader, IRequestBodyPipeFeature
    {
        private readonly PipeReader _inner = context.Request.BodyReader;
        private bool _holdsSlot;

        PipeReader IRequestBodyPipeFeature.Reader => this;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = Checked(await _inner.ReadAsync(cancellationToken).ConfigureAwait(false));
            if (!_holdsSlot && result.Buffer.Length >= HeaderSize && DeclaredLength(result.Buffer) >= LargeMessageBytes)
            {
                TakeSlot(result);
            }

            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!_inner.TryRead(out result))
            {
                return false;
            }

            result = Checked(result);
            if (!_holdsSlot && result.Buffer.Length >= HeaderSize && DeclaredLength(result.Buffer) >= LargeMessageBytes)
            {
                TakeSlot(result);
            }

            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => _inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => _inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

        private static uint DeclaredLength(ReadOnlySequence<byte> buffer)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            buffer.Slice(0, HeaderSize).CopyTo(header);
            return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        }

        /// <summary>
        /// Takes a large-message slot for the rest of the call, or refuses the call when none is free. It does
        /// not wait: a waiting stream's unread data holds the connection's HTTP/2 window, which the calls holding
        /// the slots need to receive the rest of their messages.
        /// </summary>
        private void TakeSlot(ReadResult pending)
        {
            if (!largeMessages.Wait(0))
            {
                _inner.AdvanceTo(pending.Buffer.Start);
                Log.LargeMessageRefused(logger, context.Request.Path);
                throw DocStoreErrors.Create(
                    Google.Rpc.Code.ResourceExhausted,
                    string.Create(CultureInfo.InvariantCulture, $"The server is receiving {MaxLargeMessages} messages of {LargeMessageBytes / (1024 * 1024)} MB or more already; retry after the delay in RetryInfo."),
                    DocStoreErrors.Throttled,
                    null,
                    Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Rpc.RetryInfo { RetryDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }));
            }

            _holdsSlot = true;
            context.Response.RegisterForDispose(new Slot(largeMessages));
        }

        private ReadResult Checked(ReadResult result)
        {
            if (Check(result.Buffer, limit) is not { } refused)
            {
                return result;
            }

            // The read ends here: hand the buffer back untouched, so that the body can be drained and completed.
            _inner.AdvanceTo(result.Buffer.Start);
            Log.FrameRejected(logger, context.Request.Path, refused.StatusCode);
            throw new RpcException(refused);
        }
    }

    /// <summary>A large-message slot, given back when the call ends.</summary>
    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 102, EventName = "FrameRejected", Level = LogLevel.Debug, Message = "{Path}: request frame header refused with {Status}")]
        public static partial void FrameRejected(ILogger logger, PathString path, StatusCode status);

        [LoggerMessage(EventId = 103, EventName = "LargeMessageRefused", Level = LogLevel.Debug, Message = "{Path}: a large request message refused, every large-message slot taken")]
        public static partial void LargeMessageRefused(ILogger logger, PathString path);
    }
}
