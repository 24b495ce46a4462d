using Sluice.Benchmarks;

var mode = args.Length > 0 ? args[0] : "spool-engines";
var messages = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
switch (mode)
{
    case "spool-engines":
        await SpoolEngines.RunAsync(messages);
        return 0;
    case "deep-queue":
        await DeepQueue.RunAsync(args.Length > 1 ? messages : 1_000_000);
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: Sluice.Benchmarks spool-engines|deep-queue [messages]");
        return 64;
}
