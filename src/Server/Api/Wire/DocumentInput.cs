using System.Buffers;
using DocStore.Server.Api.Messages;
using Google.Protobuf;
using Grpc.Core;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// A request that carries one whole document (<c>UpsertRequest</c>, <c>CreateRequest</c>, <c>ReplaceRequest</c>) read without
/// decoding the document: its <c>document</c> (Struct) or <c>document_json</c> field stays as bytes,
/// slices of the buffer the message arrived in, for <see cref="DocumentBody"/> to read once. Every other
/// field is decoded by the generated code into <see cref="Request"/>, so the request's own fields stay
/// the contract's, whatever their numbers, and a field this server does not know is kept as protobuf keeps it.
/// </summary>
/// <typeparam name="TRequest">The generated request; it has a <c>document</c> and a <c>document_json</c> field.</typeparam>
internal sealed class DocumentInput<TRequest> : IDocumentRequest where TRequest : class, IMessage<TRequest>, ICollectionRequest, new()
{
    private static readonly uint DocumentTag = LengthDelimitedTag("document");
    private static readonly uint DocumentJsonTag = LengthDelimitedTag("document_json");

    /// <summary>The request's fields other than the document.</summary>
    public required TRequest Request { get; init; }

    /// <inheritdoc/>
    public string Collection => Request.Collection;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? Document { get; init; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? DocumentJson { get; init; }

    /// <summary>Reads requests; the server never writes one.</summary>
    public static Marshaller<DocumentInput<TRequest>> Marshaller { get; } = new(
        static (_, _) => throw new NotSupportedException("A document request is only ever read."),
        static context => Parse(context.PayloadAsNewBuffer()));

    /// <summary>Reads the request's wire format.</summary>
    /// <exception cref="MalformedWireException">The bytes are not such a request.</exception>
    /// <exception cref="InvalidProtocolBufferException">A field other than the document does not decode.</exception>
    public static DocumentInput<TRequest> Parse(byte[] message)
    {
        ReadOnlyMemory<byte>? document = null;
        ReadOnlyMemory<byte>? json = null;
        var others = new ArrayBufferWriter<byte>(64);
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            var start = reader.Position;
            var tag = reader.ReadTag();
            if (tag == DocumentTag || tag == DocumentJsonTag)
            {
                DocumentFields.Read(ref reader, message, isStruct: tag == DocumentTag, ref document, ref json);
                continue;
            }

            reader.Skip(tag);
            others.Write(message.AsSpan(start, reader.Position - start));
        }

        var request = new TRequest();
        request.MergeFrom(others.WrittenSpan);
        return new DocumentInput<TRequest> { Request = request, Document = document, DocumentJson = json };
    }

    private static uint LengthDelimitedTag(string field)
    {
        var descriptor = new TRequest().Descriptor.FindFieldByName(field)
            ?? throw new InvalidOperationException($"{typeof(TRequest).Name} has no field '{field}'.");
        return (uint)(descriptor.FieldNumber << 3) | 2;
    }
}
