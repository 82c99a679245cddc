"""Datalogger gateware, one ``wiring.Component`` per module, connected by ``amaranth.lib.stream`` ports."""

from .boot_counter import BootCounter
from .channel_select import ChannelSelect
from .datalogger import Datalogger
from .decimating_fir import DecimatingFIR
from .frame_buffer import FrameBuffer
from .framer import Framer
from .uart_tx import UARTTransmitter

__all__ = ["BootCounter", "ChannelSelect", "DecimatingFIR", "FrameBuffer", "Framer", "UARTTransmitter", "Datalogger"]
