using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/ImeiEir.Benchmarks -- --filter '*'      (every suite; see perf-baselines/README.md)
BenchmarkSwitcher.FromAssembly(typeof(ImeiEir.Benchmarks.Samples).Assembly).Run(args);
