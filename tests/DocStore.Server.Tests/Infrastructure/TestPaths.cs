using System.Reflection;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>Where things are: the repository, the built server and command, and fresh temporary files.</summary>
public static class TestPaths
{
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
    public static string NewDatabasePath() => TempFiles.NewDatabasePath();

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
