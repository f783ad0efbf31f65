"""CSV loading and validation, labels, standardization, splits, batches and synthetic sets."""

from luma_cli.data.csv_table import CsvTable, read_csv
from luma_cli.data.dataset import Dataset, load_data_for_model, load_training_data
from luma_cli.data.labels import LabelMapping, infer_mapping
from luma_cli.data.preprocessing import Standardizer, batches, stratified_split
from luma_cli.data.synthetic import SYNTHETIC, make_synthetic, to_csv_text

__all__ = [
    "SYNTHETIC", "CsvTable", "Dataset", "LabelMapping", "Standardizer", "batches", "infer_mapping",
    "load_data_for_model", "load_training_data", "make_synthetic", "read_csv", "stratified_split", "to_csv_text",
]
