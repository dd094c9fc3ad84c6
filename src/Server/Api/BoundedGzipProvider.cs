using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace DocStore.Server.Api;

/// <summary>
/// The <c>gzip</c> request encoding, in place of grpc-dotnet's own: a body that is not gzip is the
/// caller's mistake (INVALID_ARGUMENT, not UNKNOWN with a stack trace), and a message that inflates
/// past the receive limit is refused (RESOURCE_EXHAUSTED) as it inflates, so a small compressed
/// request cannot make the server hold an unbounded buffer.
/// </summary>
internal sealed class BoundedGzipProvider(int maxMessageSize) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) =>
        new BoundedInflation(new GZipStream(stream, CompressionMode.Decompress), maxMessageSize);

    /// <summary>Reads a decompressing stream, counting what it has produced.</summary>
    private sealed class BoundedInflation(GZipStream inner, int limit) : Stream
    {
        private long _produced;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read;
            try
            {
                read = inner.Read(buffer);
            }
            catch (InvalidDataException)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "The request message is marked gzip-compressed but is not valid gzip."));
            }

            _produced += read;
            return _produced > limit
                ? throw new RpcException(new Status(StatusCode.ResourceExhausted, $"The request message inflates past the limit of {limit} bytes."))
                : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
