using DocStore.Server.Api.Messages;

// The roles each generated request plays, as a table: the generated classes are partial, and their properties
// (Collection, Id, PartitionKey) implement the interfaces as they are. A request added to the contract gets its line here.

namespace DocStore.V1;

/// <summary>A request that names a collection and one document by its own fields.</summary>
public sealed partial class GetRequest : IKeyedRequest;

/// <summary>A request that names a collection.</summary>
public sealed partial class ReadManyRequest : ICollectionRequest;

/// <summary>A request that names a collection and a partition (or none).</summary>
public sealed partial class QueryRequest : IPartitionRequest;

/// <summary>A request that names a collection and a partition (or none).</summary>
public sealed partial class ReadChangesRequest : IPartitionRequest;

/// <summary>A request that names a collection and a partition (or none).</summary>
public sealed partial class WatchChangesRequest : IPartitionRequest;

/// <summary>A request that names a collection.</summary>
public sealed partial class UpsertRequest : ICollectionRequest;

/// <summary>A request that names a collection.</summary>
public sealed partial class CreateRequest : ICollectionRequest;

/// <summary>A request that names a collection.</summary>
public sealed partial class ReplaceRequest : ICollectionRequest;

/// <summary>A request that names a collection and one document by its own fields.</summary>
public sealed partial class PatchRequest : IKeyedRequest;

/// <summary>A request that names a collection and one document by its own fields.</summary>
public sealed partial class DeleteRequest : IKeyedRequest;
