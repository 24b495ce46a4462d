using SharpFuzz;
using Sluice.Fuzz;

// sluice-fuzz TARGET                  run TARGET under afl-fuzz (SharpFuzz's out-of-process driver)
// sluice-fuzz replay TARGET DIR...    run every file in the folders through TARGET once, without AFL;
//                                     exit 1 naming the first file that throws
if (args is ["replay", var name, .. var folders] && FuzzTargets.All.TryGetValue(name, out var replayed))
{
    foreach (var folder in folders)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                replayed(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"{name}: {file}: {ex}");
                return 1;
            }
        }
    }

    return 0;
}

if (args is [var target] && FuzzTargets.All.TryGetValue(target, out var run))
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        run(copy.ToArray());
    });
    return 0;
}

Console.Error.WriteLine($"usage: Sluice.Fuzz TARGET | replay TARGET DIR...   (targets: {string.Join(", ", FuzzTargets.All.Keys)})");
return 2;
