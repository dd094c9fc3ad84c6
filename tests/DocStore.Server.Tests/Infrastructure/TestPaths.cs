using System.Reflection;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>Where things are: the repository, the built server, and fresh temporary files.</summary>
public static class TestPaths
{
    /// <summary>This test run's temporary files, removed when the run ends.</summary>
    private static readonly string RunDirectory = CreateRunDirectory();

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The DocStore.Server.dll built in the same configuration as the tests.</summary>
    public static string ServerDll
    {
        get
        {
            var configuration = typeof(TestPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(RepositoryRoot, "src", "Server", "bin", configuration, "net10.0", "DocStore.Server.dll");
            Assert.True(File.Exists(path), $"The server is not built at {path}; build the solution first.");
            return path;
        }
    }

    /// <summary>The docstore command (docstore.dll) built in the same configuration as the tests.</summary>
    public static string CliDll
    {
        get
        {
            var configuration = typeof(TestPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(RepositoryRoot, "src", "Cli", "bin", configuration, "net10.0", "docstore.dll");
            Assert.True(File.Exists(path), $"The docstore command is not built at {path}; build the solution first.");
            return path;
        }
    }

    /// <summary>A path for a new SQLite file in a fresh temporary directory.</summary>
    public static string NewDatabasePath()
    {
        var directory = Path.Combine(RunDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "docstore.db");
    }

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
                // A server process may still hold a file; the temporary directory is cleaned by the OS.
            }
        };
        return directory;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DocStore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DocStore.sln not found above " + AppContext.BaseDirectory);
    }
}
