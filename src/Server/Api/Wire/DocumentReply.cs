using DocStore.Server.Storage;
using DocStore.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using DocumentKey = DocStore.Server.Storage.DocumentKey;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// A response that carries one document (<c>GetResponse</c>, <c>UpsertResponse</c>, <c>PatchResponse</c>,
/// <c>CreateResponse</c> and <c>ReplaceResponse</c> share the layout <c>{ Document document = 1; ResponseInfo info = 2; }</c>),
/// serialized by <see cref="Marshaller"/> with the body spliced in: the stored JSON as
/// <c>body_json</c>, or the Struct encoding written straight from the stored JSON (or from the
/// request's own Struct bytes) as <c>body</c>. No Struct DOM is built for either.
/// </summary>
internal sealed class DocumentReply
{
    private const byte DocumentTag = 0x0A;
    private const byte InfoTag = 0x12;
    private const byte BodyTag = 0x1A;

    private readonly Document _document;
    private readonly ResponseInfo _info;
    private readonly StructLayout? _layout;
    private readonly ReadOnlyMemory<byte> _structBytes;

    private DocumentReply(Document document, ResponseInfo info, StructLayout? layout, ReadOnlyMemory<byte> structBytes)
    {
        _document = document;
        _info = info;
        _layout = layout;
        _structBytes = structBytes;
    }

    /// <summary>Writes replies; the server never reads one.</summary>
    public static Marshaller<DocumentReply> Marshaller { get; } = new(
        static (reply, context) => reply.Serialize(context),
        static _ => throw new NotSupportedException("A document reply is only ever written."));

    /// <summary>
    /// A reply with the stored document in <paramref name="format"/>. For a Struct reply,
    /// <paramref name="structBody"/> is the body's Struct encoding when the caller already has it (an
    /// Upsert's own request); otherwise it is transcoded from the stored JSON while serializing.
    /// </summary>
    public static DocumentReply Create(DocumentKey key, StoredDocument stored, BodyFormat format, ReadOnlyMemory<byte>? structBody = null)
    {
        var document = Head(key, stored);
        var info = new ResponseInfo { SessionToken = stored.SessionToken, RequestCharge = stored.RequestCharge };
        if (format == BodyFormat.Json)
        {
            // The stored bytes as they are: copied once, into the response.
            document.BodyJson = UnsafeByteOperations.UnsafeWrap(stored.Body);
            return new DocumentReply(document, info, null, default);
        }

        return structBody is { } bytes
            ? new DocumentReply(document, info, null, bytes)
            : new DocumentReply(document, info, JsonToStruct.Measure(stored.Body), default);
    }

    /// <summary>
    /// The stored document as a <c>Document</c> message in <paramref name="format"/>, for replies that carry
    /// several (ReadMany, ExecuteBatch): the JSON as it is, or a Struct read from it.
    /// </summary>
    public static Document Message(DocumentKey key, StoredDocument stored, BodyFormat format)
    {
        var document = Head(key, stored);
        if (format == BodyFormat.Json)
        {
            document.BodyJson = UnsafeByteOperations.UnsafeWrap(stored.Body);
        }
        else
        {
            document.Body = StructJson.ParseStruct(stored.Body.Span);
        }

        return document;
    }

    private static Document Head(DocumentKey key, StoredDocument stored) => new()
    {
        Id = key.Id,
        PartitionKey = key.PartitionKey,
        Etag = stored.ETag,
        UpdateTime = Timestamp.FromDateTimeOffset(stored.UpdateTime),
    };

    private void Serialize(SerializationContext context)
    {
        try
        {
            var hasStruct = _layout is not null || _document.BodyJson.IsEmpty;

            // body_json is part of the document message already; a Struct body is spliced in after it.
            var structLength = _layout?.Length ?? _structBytes.Length;
            var documentHead = _document.CalculateSize();
            var documentSize = documentHead + (hasStruct ? 1 + CodedOutputStream.ComputeLengthSize(structLength) + structLength : 0);
            var infoSize = _info.CalculateSize();
            var total = 1 + CodedOutputStream.ComputeLengthSize(documentSize) + documentSize + 1 + CodedOutputStream.ComputeLengthSize(infoSize) + infoSize;

            context.SetPayloadLength(total);
            var buffer = context.GetBufferWriter();
            var output = new ProtoWriter(buffer.GetSpan(total)[..total]);
            output.WriteByte(DocumentTag);
            output.WriteVarint((uint)documentSize);
            _document.WriteTo(output.Remaining[..documentHead]);
            output.Advance(documentHead);
            if (hasStruct)
            {
                output.WriteByte(BodyTag);
                output.WriteVarint((uint)structLength);
                if (_layout is not null)
                {
                    _layout.WriteTo(ref output);
                }
                else
                {
                    output.WriteBytes(_structBytes.Span);
                }
            }

            output.WriteByte(InfoTag);
            output.WriteVarint((uint)infoSize);
            _info.WriteTo(output.Remaining[..infoSize]);
            output.Advance(infoSize);
            buffer.Advance(total);
            context.Complete();
        }
        finally
        {
            _layout?.Dispose();
        }
    }
}
