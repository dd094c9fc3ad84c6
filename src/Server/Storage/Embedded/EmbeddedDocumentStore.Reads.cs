using DocStore.Server.Storage.Commands;

namespace DocStore.Server.Storage.Embedded;

// Point reads: one document, or many at one view.
internal sealed partial class EmbeddedDocumentStore
{
    public Task<StoreResult> Handle(ReadDocument command, CancellationToken cancellationToken)
    {
        var (collection, key, sessionToken) = command;
        cancellationToken.ThrowIfCancellationRequested();
        if (_lagMilliseconds > 0)
        {
            return Task.FromResult(ReadLagging(collection.Container, key, sessionToken));
        }

        // Without replica lag every read is answered by the primary, which satisfies any session token
        // this file issued. A static callback with explicit state: every Get comes through here, and
        // allocates no closure.
        var required = sessionToken is null ? 0 : SessionToken.ParseOrNull(sessionToken)?.Find("0")?.GlobalLsn ?? 0;
        return Task.FromResult(WithSession((collection.Container, key, required), static (session, state) =>
        {
            var row = session.Read(null, state.Container, state.key);
            if (state.required > 0 && state.required > (row?.CollectionLsn ?? session.CollectionLsn(null, state.Container)))
            {
                return SessionNotAvailable(state.required);
            }

            if (row is not { } found)
            {
                return StoreResult.NotFound;
            }

            return StoreResult.Success(Found(found.Body, found.ETag, found.CommittedAt, SessionToken.ForEmbedded(found.CollectionLsn)));
        }));
    }

    public Task<ReadManyStoreResult> Handle(ReadDocuments command, CancellationToken cancellationToken)
    {
        var (collection, keys, sessionToken) = command;
        cancellationToken.ThrowIfCancellationRequested();
        var container = collection.Container;
        var required = RequiredLsn(container, sessionToken);
        return Task.FromResult(WithSession(
            (container, keys, required),
            (session, state) =>
            {
                // One snapshot: every document as of one collection LSN.
                using var snapshot = session.Connection.BeginTransaction(deferred: true);
                if (state.required > session.CollectionLsn(snapshot, state.container))
                {
                    return ReadManyStoreResult.Failed(SessionNotAvailable(state.required));
                }

                var view = _lagMilliseconds > 0
                    ? LaggingView(session, snapshot, state.container, state.required)
                    : session.CollectionLsn(snapshot, state.container);
                var documents = new StoredDocument?[state.keys.Count];
                var charge = 0.0;
                for (var i = 0; i < documents.Length; i++)
                {
                    documents[i] = VersionAt(session, snapshot, state.container, state.keys[i], view);
                    charge += documents[i]?.RequestCharge ?? 1;
                }

                return ReadManyStoreResult.Success(documents, SessionToken.ForEmbedded(view), Math.Round(charge, 2));
            },
            ReadManyStoreResult.Failed));
    }

    /// <summary>A stored version as a read returns it: the one place a read builds a <see cref="StoredDocument"/>.</summary>
    private static StoredDocument Found(ReadOnlyMemory<byte> body, string etag, long committedAt, string sessionToken) =>
        new(body, etag, DateTimeOffset.FromUnixTimeMilliseconds(committedAt), sessionToken, RequestCharge.ForRead(body.Length));
}
