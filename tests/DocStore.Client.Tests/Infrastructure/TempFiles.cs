namespace DocStore.Client.Tests.Infrastructure;

/// <summary>Fresh SQLite paths in this test run's temporary directory, removed when the run ends.</summary>
public static class TempFiles
{
    private static readonly string RunDirectory = CreateRunDirectory();

    public static string NewDatabasePath()
    {
        var directory = Path.Combine(RunDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "docstore.db");
    }

    private static string CreateRunDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "docstore-client-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file may still be open; the OS cleans the temporary directory.
            }
        };
        return directory;
    }
}
