// Data for training: datasets, the DataLoader, synthetic 2-D problems, MNIST and CSV files (`cr.data`).
export { Dataset, TensorDataset } from "./dataset.js";
export { DataLoader } from "./loader.js";
export type { Batch, DataLoaderOptions } from "./loader.js";
export { xor, moons, circles, spirals } from "./synthetic.js";
export type { Points, SyntheticOptions, ShuffleOptions, CirclesOptions, SpiralsOptions } from "./synthetic.js";
export { loadMnist, mnist, mnistDir, parseIdx } from "./mnist.js";
export type { MnistSplit, MnistOptions, IdxData } from "./mnist.js";
export { loadCsv, parseCsv } from "./csv.js";
export type { CsvOptions, CsvData } from "./csv.js";
export { CharTokenizer, ByteTokenizer, tokenizerFromJSON } from "./tokenizer.js";
export type { Tokenizer, TokenizerJSON, StreamDecoder } from "./tokenizer.js";
export { TokenWindows, trainValSplit } from "./token-windows.js";
export type { SampleOptions, TrainValSplitOptions } from "./token-windows.js";
export { mobyDick, loadText } from "./text.js";
