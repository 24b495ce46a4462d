using Microsoft.Extensions.Options;
using Sluice.Core;

namespace Sluice.Storage;

/// <summary>The spool's settings (section <c>Spool</c>), every error named by its key.</summary>
public sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBatchSize < 1)
        {
            errors.Add("Spool:MaxBatchSize: must be at least 1");
        }

        if (options.LargeBodyBytes < 0)
        {
            errors.Add("Spool:LargeBodyBytes: must be 0 (every body in the database) or more");
        }

        if (options.SegmentBytes < 1024 * 1024)
        {
            errors.Add("Spool:SegmentBytes: must be at least 1048576 (1 MiB)");
        }

        if (options.MinFreeBytes < 0 || options.ReserveBytes < 0)
        {
            errors.Add("Spool:MinFreeBytes and Spool:ReserveBytes: must be 0 or more bytes");
        }

        return OptionsValidation.Result(errors);
    }
}
