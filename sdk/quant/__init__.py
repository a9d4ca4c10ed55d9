"""Static int8 quantization shared by the TFLite export (sdk/mobile/int8.py) and the MCU int8
path: what the calibration set is (calibration.py) and how a tensor's range follows from it
(ranges.py)."""
