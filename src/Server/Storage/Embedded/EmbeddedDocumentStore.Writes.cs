using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocStore.Server.Storage.Commands;
using DocStore.Server.Storage.Query;
using Microsoft.Data.Sqlite;

namespace DocStore.Server.Storage.Embedded;

// Cosmos DB's item semantics for every write, through the group commit.
internal sealed partial class EmbeddedDocumentStore
{
    public Task<StoreResult> Handle(UpsertDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, body, ifMatch) = command;
        return WriteAsync(collection, new BatchStep(BatchStepKind.Upsert, key, body, IfMatch: ifMatch), cancellationToken);
    }

    public Task<StoreResult> Handle(PatchDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, operations, ifMatch, condition) = command;
        return WriteAsync(collection, new BatchStep(BatchStepKind.Patch, key, Patch: operations, IfMatch: ifMatch, Condition: condition), cancellationToken);
    }

    public Task<StoreResult> Handle(CreateDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, body) = command;
        return WriteAsync(collection, new BatchStep(BatchStepKind.Create, key, body), cancellationToken);
    }

    public Task<StoreResult> Handle(ReplaceDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, body, ifMatch) = command;
        return WriteAsync(collection, new BatchStep(BatchStepKind.Replace, key, body, IfMatch: ifMatch), cancellationToken);
    }

    public Task<StoreResult> Handle(DeleteDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, ifMatch) = command;
        return WriteAsync(collection, new BatchStep(BatchStepKind.Delete, key, IfMatch: ifMatch), cancellationToken);
    }

    /// <summary>
    /// Runs the batch inside the group commit's transaction, under a savepoint: when an operation
    /// fails, the savepoint is rolled back, so the batch leaves nothing while the other writes of the
    /// same group commit. Each operation sees the ones before it.
    /// </summary>
    public Task<BatchStoreResult> Handle(ExecuteBatch command, CancellationToken cancellationToken)
    {
        var (collection, partitionKey, operations) = command;
        return AfterCommit(collection, _groupCommit.WriteAsync(
        (session, transaction) =>
        {
            const string savepoint = "batch";
            transaction.Save(savepoint);
            var results = new StoreResult[operations.Count];
            var charge = 0.0;
            try
            {
                for (var i = 0; i < results.Length; i++)
                {
                    var result = Apply(session, transaction, collection.Container, operations[i]);
                    if (result.Status != StoreStatus.Ok)
                    {
                        transaction.Rollback(savepoint);
                        return BatchStoreResult.OperationFailed(i, result);
                    }

                    results[i] = result;
                    charge += result.RequestCharge;
                }
            }
            catch
            {
                transaction.Rollback(savepoint);
                throw;
            }

            transaction.Release(savepoint);
            var token = SessionToken.ForEmbedded(session.CollectionLsn(transaction, collection.Container));
            return BatchStoreResult.Success(results, token, Math.Round(charge, 2));
        },
        BatchStoreResult.Failed,
        cancellationToken));
    }

    /// <summary>One write through the group commit.</summary>
    private Task<StoreResult> WriteAsync(CollectionDefinition collection, BatchStep step, CancellationToken cancellationToken) =>
        AfterCommit(collection, _groupCommit.WriteAsync((session, transaction) => Apply(session, transaction, collection.Container, step), cancellationToken));

    /// <summary>
    /// Applies one operation inside a write transaction, with Cosmos DB's item semantics. An operation
    /// that fails writes nothing: every check comes before the write.
    /// </summary>
    private StoreResult Apply(SqliteSession session, SqliteTransaction transaction, string container, BatchStep step)
    {
        var key = step.Key;
        switch (step.Kind)
        {
            case BatchStepKind.Read:
                if (session.Read(transaction, container, key) is not { } row)
                {
                    return StoreResult.NotFound;
                }

                return StoreResult.Success(Found(row.Body, row.ETag, row.CommittedAt, SessionToken.ForEmbedded(row.CollectionLsn)));
            case BatchStepKind.Create:
                return session.ReadETag(transaction, container, key) is not null
                    ? StoreResult.AlreadyExists
                    : StoreResult.Success(Write(session, transaction, container, key, step.Body));
            case BatchStepKind.Upsert:
                // An upsert with if_match is a conditional replace: an absent document does not match.
                return step.IfMatch is not null && session.ReadETag(transaction, container, key) != step.IfMatch
                    ? StoreResult.PreconditionFailed
                    : StoreResult.Success(Write(session, transaction, container, key, step.Body));
            case BatchStepKind.Replace:
                return session.ReadETag(transaction, container, key) switch
                {
                    null => StoreResult.NotFound,
                    var etag when step.IfMatch is not null && etag != step.IfMatch => StoreResult.PreconditionFailed,
                    _ => StoreResult.Success(Write(session, transaction, container, key, step.Body)),
                };
            case BatchStepKind.Delete:
                return session.ReadETag(transaction, container, key) switch
                {
                    null => StoreResult.NotFound,
                    var etag when step.IfMatch is not null && etag != step.IfMatch => StoreResult.PreconditionFailed,
                    _ => Delete(session, transaction, container, key),
                };
            case BatchStepKind.Patch:
                return ApplyPatch(session, transaction, container, key, step);
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown batch operation.");
        }
    }

    /// <summary>A patch, after its etag and then its condition (the order Cosmos DB checks them in).</summary>
    private StoreResult ApplyPatch(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key, BatchStep step)
    {
        if (session.ReadForWrite(transaction, container, key) is not { } current)
        {
            return StoreResult.NotFound;
        }

        if (step.IfMatch is not null && current.ETag != step.IfMatch)
        {
            return StoreResult.PreconditionFailed;
        }

        if (step.Condition is not null && !FilterEvaluator.Matches(step.Condition, JsonOrder.Parse(current.Body)))
        {
            return StoreResult.Failure(StoreStatus.ConditionNotMet);
        }

        var document = (JsonObject)JsonNode.Parse(current.Body, documentOptions: DocumentJson.DocumentOptions)!;
        if (JsonPatcher.Apply(document, step.Patch!) is { } error)
        {
            return StoreResult.Failure(StoreStatus.PatchNotApplicable, error);
        }

        if (Serialize(document) is not { } body)
        {
            return StoreResult.Failure(StoreStatus.TooLarge, $"the patched document would nest objects and arrays deeper than {DocumentLimits.MaxDepth} levels");
        }

        if (body.Length > DocumentLimits.MaxDocumentBytes)
        {
            return StoreResult.Failure(StoreStatus.TooLarge, $"the patched document would be {body.Length} bytes as UTF-8 JSON; the limit is {DocumentLimits.MaxDocumentBytes} bytes (2 MB)");
        }

        return StoreResult.Success(Write(session, transaction, container, key, body));
    }

    /// <summary>
    /// Deletes the current version. It is a write: it takes the collection's next LSN, and under the
    /// replica-lag model keeps the deleted version and a tombstone for lagging readers.
    /// </summary>
    private StoreResult Delete(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key)
    {
        var lsn = session.NextLsn(transaction, container);
        var committedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_lagMilliseconds > 0)
        {
            var cutoff = committedAt - _lagMilliseconds;
            session.KeepForLaggingReaders(transaction, container, key, lsn, committedAt, cutoff);
            session.KeepTombstone(transaction, container, key, lsn, committedAt, cutoff);
        }

        session.Delete(transaction, container, key);
        return StoreResult.Deleted(SessionToken.ForEmbedded(lsn), RequestCharge.ForWrite(0));
    }

    private StoredDocument Write(SqliteSession session, SqliteTransaction transaction, string container, DocumentKey key, ReadOnlyMemory<byte> body)
    {
        var lsn = session.NextLsn(transaction, container);
        var now = _time.GetUtcNow();
        var committedAt = now.ToUnixTimeMilliseconds();
        var etag = $"\"{Guid.CreateVersion7(now)}\"";
        if (_lagMilliseconds > 0)
        {
            session.KeepForLaggingReaders(transaction, container, key, lsn, committedAt, committedAt - _lagMilliseconds);
        }

        session.Write(transaction, container, key, body, etag, lsn, committedAt);
        return new StoredDocument(body, etag, DateTimeOffset.FromUnixTimeMilliseconds(committedAt), SessionToken.ForEmbedded(lsn), RequestCharge.ForWrite(body.Length));
    }

    private static byte[]? Serialize(JsonObject document)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            using var writer = new Utf8JsonWriter(buffer, DocumentJson.WriterOptions);
            document.WriteTo(writer);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonWriter refuses to go deeper than DocumentLimits.MaxDepth.
            return null;
        }

        return buffer.WrittenSpan.ToArray();
    }
}
