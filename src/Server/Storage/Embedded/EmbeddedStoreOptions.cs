// The settings types are public and keep the project's root namespace, as DocStoreOptions does;
// their files sit beside the part that uses them, with that part's validator.
namespace DocStore.Server;

/// <summary>The embedded store (<c>DocStore:Embedded</c>).</summary>
public sealed class EmbeddedStoreOptions
{
    /// <summary>
    /// The SQLite file (<c>DocStore:Embedded:Path</c>), relative to the working directory unless
    /// rooted. Several server processes on one machine may share it. Defaults to <c>data/docstore.db</c>.
    /// </summary>
    public string Path { get; set; } = "data/docstore.db";

    /// <summary>
    /// How long a write waits for the file's write lock, held by another process sharing the file,
    /// before the call fails with UNAVAILABLE (<c>DocStore:Embedded:BusyTimeout</c>). Defaults to 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Simulated replica lag (<c>DocStore:Embedded:ReplicaLag</c>). Above zero, a read without a
    /// session token that requires more sees only the writes committed at least this long ago, as a
    /// lagging Cosmos DB replica would. Defaults to zero: every read sees every committed write.
    /// </summary>
    public TimeSpan ReplicaLag { get; set; } = TimeSpan.Zero;
}
