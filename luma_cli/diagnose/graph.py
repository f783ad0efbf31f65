"""Queries over a recorded tape: who consumes a tensor, what lies upstream, which constant copies what."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import numpy as np

from luma_cli.autograd import Node, Tape, Tensor
from luma_cli.diagnose.findings import Copy


class GraphView:
    """A read-only view of one tape and the loss computed on it."""

    def __init__(self, tape: Tape, loss: Tensor) -> None:
        self.tape = tape
        self.loss = loss
        self.consumers: dict[int, list[Node]] = {}
        for node in tape.nodes:
            for tensor in node.inputs:
                self.consumers.setdefault(id(tensor), []).append(node)

    def output(self, node: Node) -> Tensor:
        return self.tape.producer_output(node)

    def consumers_of(self, tensor: Tensor) -> list[Node]:
        return self.consumers.get(id(tensor), [])

    def walk_from_loss(self) -> Iterator[tuple[Tensor, Node]]:
        """(input tensor, consuming node) pairs breadth-first from the loss back to the leaves."""
        if self.loss.node is None:
            return
        seen_nodes = {id(self.loss.node)}
        queue = deque([self.loss.node])
        while queue:
            node = queue.popleft()
            for tensor in node.inputs:
                yield tensor, node
                producer = tensor.node
                if producer is not None and id(producer) not in seen_nodes:
                    seen_nodes.add(id(producer))
                    queue.append(producer)

    def upstream_parameters(self, tensor: Tensor) -> list[Tensor]:
        """Parameters that `tensor` was computed from, in the order met."""
        found: dict[int, Tensor] = {}
        stack = [tensor]
        seen: set[int] = set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if current.kind == "parameter":
                found[id(current)] = current
            if current.node is not None:
                stack.extend(current.node.inputs)
        return list(found.values())

    def find_copy(self, constant: Tensor) -> Copy | None:
        """The op output whose values `constant` holds (same array, shared memory or equal values)."""
        best: tuple[int, Node, Tensor] | None = None
        for node, output in zip(self.tape.nodes, self.tape.outputs):
            if output is constant or not output.requires_grad or output.data.shape != constant.data.shape:
                continue
            if output.data is constant.data:
                rank = 0
            elif np.shares_memory(output.data, constant.data):
                rank = 1
            elif np.array_equal(output.data, constant.data):
                rank = 2
            else:
                continue
            if best is None or rank < best[0] or (rank == best[0] and node.id > best[1].id):
                best = (rank, node, output)
        if best is None:
            return None
        relation = ("same array", "shared memory", "equal values")[best[0]]
        return Copy(tensor_id=best[2].label, op_id=best[1].id, op=best[1].op.name, relation=relation)

    def copied_output(self, copy: Copy) -> Tensor:
        return self.tape.outputs[copy.op_id - 1]
