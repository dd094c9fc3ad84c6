using DocStore.Server.Storage;

namespace DocStore.Server.Api.Messages;

/// <summary>A transactional batch: one partition, and operations of the kinds <see cref="BatchStepKind"/> lists.</summary>
internal interface IBatchRequest : IPartitionRequest
{
    /// <summary>The kind of each operation that has one set, in order; an operation with nothing set is left to validation.</summary>
    IEnumerable<BatchStepKind> OperationKinds { get; }

    /// <summary>
    /// The id of each operation's document, in order: its own <c>id</c> field, or the one inside a written document
    /// (found at the top level; <paramref name="partitionKeyPath"/> lets a JSON document be scanned); empty when none is found.
    /// </summary>
    IEnumerable<string> OperationIds(JsonPointer? partitionKeyPath);
}
