using Sluice.Benchmarks;

var mode = args.Length > 0 ? args[0] : "spool-engines";
var messages = args.Length > 1 && int.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : 10_000;
switch (mode)
{
    case "spool-engines":
        await SpoolEngines.RunAsync(messages);
        return 0;
    case "deep-queue":
        await DeepQueue.RunAsync(args.Length > 1 ? messages : 1_000_000);
        return 0;
    case "templates":
        BenchmarkDotNet.Running.BenchmarkRunner.Run<TemplateRendering>(ShortRun(args));
        return 0;
    case "metrics":
        BenchmarkDotNet.Running.BenchmarkRunner.Run<MetricsRecording>(ShortRun(args));
        return 0;
    case "api-load":
        // api-load URL KEY single|batch MESSAGES CONCURRENCY [TEMPLATE [DOMAINS]]
        await ApiLoad.RunAsync(
            args[1],
            args[2],
            args[3],
            int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture),
            args.Length > 6 ? args[6] : null,
            args.Length > 7 ? int.Parse(args[7], System.Globalization.CultureInfo.InvariantCulture) : 0);
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: Sluice.Benchmarks spool-engines|deep-queue [messages] | templates | metrics | api-load URL KEY single|batch MESSAGES CONCURRENCY [TEMPLATE [DOMAINS]]");
        return 64;
}

// BenchmarkDotNet's short run, its artifacts in ARGS[1] or a temp folder.
static BenchmarkDotNet.Configs.IConfig ShortRun(string[] args)
    => BenchmarkDotNet.Configs.ManualConfig.Create(BenchmarkDotNet.Configs.DefaultConfig.Instance)
        .AddJob(BenchmarkDotNet.Jobs.Job.ShortRun)
        .WithArtifactsPath(args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "sluice-benchmarkdotnet"));
