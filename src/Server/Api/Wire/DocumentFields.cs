namespace DocStore.Server.Api.Wire;

/// <summary>The <c>document</c> and <c>document_json</c> fields of a request, kept as slices of its buffer.</summary>
internal static class DocumentFields
{
    /// <summary>Reads the value of a document field whose tag <paramref name="reader"/> just read, as a slice of <paramref name="message"/>.</summary>
    /// <exception cref="MalformedWireException">The Struct document appears twice.</exception>
    public static void Read(ref ProtoReader reader, byte[] message, bool isStruct, ref ReadOnlyMemory<byte>? document, ref ReadOnlyMemory<byte>? json)
    {
        var length = reader.ReadLengthDelimited().Length;
        var slice = message.AsMemory(reader.Position - length, length);
        if (isStruct)
        {
            // A message field that appears twice is merged in protobuf; callers never split one.
            document = document is null ? slice : throw new MalformedWireException("has the document field twice");
        }
        else
        {
            json = length == 0 ? null : slice;
        }
    }
}
