using System.Text;
using DocStore.V1;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// An <c>UpsertRequest</c> read without decoding its document: the Struct (<c>document</c>) or the JSON
/// (<c>document_json</c>) stays as bytes, slices of the one buffer the message arrived in, for the
/// transcoders to read once. <see cref="Request"/> holds the other fields.
/// </summary>
internal sealed class UpsertInput : IDocumentRequest
{
    private const uint CollectionTag = 0x0A;
    private const uint DocumentTag = 0x12;
    private const uint IfMatchTag = 0x1A;
    private const uint DocumentJsonTag = 0x22;
    private const uint BodyFormatTag = 0x28;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The request's fields other than the document.</summary>
    public required UpsertRequest Request { get; init; }

    /// <inheritdoc/>
    public IMessage View => Request;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? Document { get; init; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? DocumentJson { get; init; }

    /// <inheritdoc/>
    public bool KeysRead { get; private set; }

    /// <inheritdoc/>
    public DocumentKeys? Keys { get; private set; }

    /// <inheritdoc/>
    public void KeepKeys(DocumentKeys? keys) => (KeysRead, Keys) = (true, keys);

    /// <summary>Reads requests; the server never writes one.</summary>
    public static Marshaller<UpsertInput> Marshaller { get; } = new(
        static (_, _) => throw new NotSupportedException("An upsert request is only ever read."),
        static context => Parse(context.PayloadAsNewBuffer()));

    /// <summary>Reads an <c>UpsertRequest</c>'s wire format.</summary>
    /// <exception cref="MalformedWireException">The bytes are not an <c>UpsertRequest</c>.</exception>
    public static UpsertInput Parse(byte[] message)
    {
        var request = new UpsertRequest();
        ReadOnlyMemory<byte>? document = null;
        ReadOnlyMemory<byte>? json = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case CollectionTag:
                    request.Collection = Text(reader.ReadLengthDelimited(), "collection");
                    break;
                case IfMatchTag:
                    request.IfMatch = Text(reader.ReadLengthDelimited(), "if_match");
                    break;
                case DocumentTag or DocumentJsonTag:
                    DocumentFields.Read(ref reader, message, isStruct: tag == DocumentTag, ref document, ref json);
                    break;
                case BodyFormatTag:
                    request.BodyFormat = (BodyFormat)(int)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        return new UpsertInput { Request = request, Document = document, DocumentJson = json };
    }

    private static string Text(ReadOnlySpan<byte> bytes, string field)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedWireException($"has a {field} that is not valid UTF-8");
        }
    }
}
