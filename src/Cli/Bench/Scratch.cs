namespace DocStore.Cli.Bench;

/// <summary>What a run starts and must stop: a temporary directory, the servers and a redis-server.</summary>
internal sealed class Scratch : IAsyncDisposable
{
    private Scratch(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The servers started, stopped when the run ends.</summary>
    public List<ServerHost> Servers { get; } = [];

    /// <summary>The redis-server started, if any, stopped when the run ends.</summary>
    public RedisHost? Redis { get; set; }

    public static Scratch Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "docstore-bench-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new Scratch(directory);
    }

    public string PathFor(string fileName) => Path.Combine(Directory, fileName);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary directory is the OS's to clean.
        }
    }
}
