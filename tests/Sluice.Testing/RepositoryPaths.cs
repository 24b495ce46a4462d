namespace Sluice.Testing;

/// <summary>Finds the repository root and the built executable from a test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Sluice.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The built <c>Sluice.dll</c> of the same configuration as the running tests.</summary>
    public static string SluiceDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Root, "src", "Sluice", "bin", configuration, "net10.0", "Sluice.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Sluice first", path);
        }
    }
}
