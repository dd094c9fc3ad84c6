using DocStore.Server.Api.Messages;

namespace DocStore.Server.Api.Wire;

/// <summary>
/// A request that carries one whole document as bytes (<see cref="DocumentInput{TRequest}"/>): the document stays
/// as the caller sent it, for <see cref="DocumentBody"/> to read once.
/// </summary>
internal interface IDocumentRequest : ICollectionRequest
{
    /// <summary>The <c>document</c> field's Struct encoding, when set.</summary>
    ReadOnlyMemory<byte>? Document { get; }

    /// <summary>The <c>document_json</c> field, when set (an empty one counts as unset, as in proto3).</summary>
    ReadOnlyMemory<byte>? DocumentJson { get; }
}
