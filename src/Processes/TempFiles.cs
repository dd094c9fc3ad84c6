namespace DocStore.Processes;

/// <summary>Fresh temporary files for this process: one run directory, removed when the process exits.</summary>
public static class TempFiles
{
    private static readonly string RunDirectory = CreateRunDirectory();

    /// <summary>A new, empty directory inside this run's directory.</summary>
    public static string NewDirectory()
    {
        var directory = Path.Combine(RunDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>A path for a new SQLite file in a fresh directory.</summary>
    public static string NewDatabasePath() => Path.Combine(NewDirectory(), "docstore.db");

    private static string CreateRunDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "docstore-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A server process may still hold a file; the temporary directory is the OS's to clean.
            }
        };
        return directory;
    }
}
