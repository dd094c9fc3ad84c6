namespace DocStore.Server.Storage.Query;

/// <summary>
/// A validated condition on documents, shared by Query and conditional Patch. Every store evaluates it
/// with Cosmos DB's three-valued logic (see <see cref="FilterEvaluator"/>, the reference).
/// </summary>
internal abstract record DocumentFilter;
