using Fluid;

namespace Sluice.Core.Templates;

/// <summary>A template version parsed once: each part ready to render, or null when the template has no such part.</summary>
public sealed record CompiledTemplate(string Id, int Version, IFluidTemplate? Subject, IFluidTemplate? Html, IFluidTemplate? Text);
