namespace Sluice.Core;

/// <summary>Options for a file only its owner may read (keys and secrets: admin.key, unsubscribe.key, DKIM keys), made so at creation rather than after.</summary>
public static class OwnerOnlyFile
{
    public static FileStreamOptions Create(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
