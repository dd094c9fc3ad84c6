using System.Runtime.InteropServices;

namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// The inode of a path, so that the embedded store notices when its file is removed or replaced
/// (<c>rm</c>, a rename over it, a restore) while it keeps writing through descriptors that still
/// point at the old, unlinked file.
/// </summary>
internal static partial class FileIdentity
{
    // glibc's struct stat on x86-64 and arm64 starts with st_dev (8 bytes), then st_ino (8 bytes).
    private const int InodeOffset = 8;
    private const int StatBufferSize = 256;

    /// <summary>The inode of <paramref name="path"/>, or <see langword="null"/> when it does not exist or the platform is not 64-bit Linux.</summary>
    public static ulong? Inode(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        var buffer = new byte[StatBufferSize];
        return NativeMethods.Stat(path, buffer) == 0 ? BitConverter.ToUInt64(buffer, InodeOffset) : null;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);
    }
}
