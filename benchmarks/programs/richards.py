"""Richards: Martin Richards's operating-system scheduler simulation (objects, attribute access,
method calls through subclasses, linked lists).

The task's design (an idle task, a worker, two handlers and two devices exchanging packets) is
Martin Richards's classic benchmark; this implementation is written for bytelens. With an idle
count of 10,000 the reference results are hold count 9297 and queued packets 23246.
"""

I_IDLE, I_WORK, I_HANDLER_A, I_HANDLER_B, I_DEVICE_A, I_DEVICE_B = 1, 2, 3, 4, 5, 6
K_DEVICE, K_WORK = 1000, 1001
BUFFER_SIZE = 4


class Packet:
    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.datum = 0
        self.data = [0] * BUFFER_SIZE

    def append_to(self, queue):
        self.link = None
        if queue is None:
            return self
        last = queue
        while last.link is not None:
            last = last.link
        last.link = self
        return queue


class System:
    """The task table and the two counters the benchmark checks."""

    def __init__(self):
        self.tasks = [None] * 10
        self.task_list = None
        self.hold_count = 0
        self.queued_count = 0

    def find(self, ident):
        task = self.tasks[ident]
        if task is None:
            raise ValueError(f"no task {ident}")
        return task

    def schedule(self):
        task = self.task_list
        while task is not None:
            if task.holding or (not task.packet_pending and task.waiting):
                task = task.link
            else:
                task = task.run()


class Task:
    def __init__(self, system, ident, priority, queue, pending, waiting):
        self.system = system
        self.link = system.task_list
        self.ident = ident
        self.priority = priority
        self.input = queue
        self.packet_pending = pending
        self.waiting = waiting
        self.holding = False
        system.task_list = self
        system.tasks[ident] = self

    def run(self):
        if self.packet_pending and self.waiting and not self.holding:
            packet = self.input
            self.input = packet.link
            self.packet_pending = self.input is not None
            self.waiting = False
        else:
            packet = None
        return self.work(packet)

    def work(self, packet):
        raise NotImplementedError

    def add_packet(self, packet, current):
        if self.input is None:
            self.input = packet
            self.packet_pending = True
            if self.priority > current.priority:
                return self
        else:
            packet.append_to(self.input)
        return current

    def wait(self):
        self.waiting = True
        return self

    def hold(self):
        self.system.hold_count += 1
        self.holding = True
        return self.link

    def release(self, ident):
        task = self.system.find(ident)
        task.holding = False
        return task if task.priority > self.priority else self

    def queue_packet(self, packet):
        target = self.system.find(packet.ident)
        self.system.queued_count += 1
        packet.link = None
        packet.ident = self.ident
        return target.add_packet(packet, self)


class IdleTask(Task):
    def __init__(self, system, count):
        super().__init__(system, I_IDLE, 1, None, False, False)
        self.control = 1
        self.count = count

    def work(self, packet):
        self.count -= 1
        if self.count == 0:
            return self.hold()
        if self.control & 1 == 0:
            self.control //= 2
            return self.release(I_DEVICE_A)
        self.control = (self.control // 2) ^ 0xD008
        return self.release(I_DEVICE_B)


class WorkTask(Task):
    def __init__(self, system, queue):
        super().__init__(system, I_WORK, 1000, queue, True, True)
        self.destination = I_HANDLER_A
        self.count = 0

    def work(self, packet):
        if packet is None:
            return self.wait()
        self.destination = I_HANDLER_B if self.destination == I_HANDLER_A else I_HANDLER_A
        packet.ident = self.destination
        packet.datum = 0
        for i in range(BUFFER_SIZE):
            self.count += 1
            if self.count > 26:
                self.count = 1
            packet.data[i] = ord("A") + self.count - 1
        return self.queue_packet(packet)


class HandlerTask(Task):
    def __init__(self, system, ident, priority, queue):
        super().__init__(system, ident, priority, queue, True, True)
        self.work_in = None
        self.device_in = None

    def work(self, packet):
        if packet is not None:
            if packet.kind == K_WORK:
                self.work_in = packet.append_to(self.work_in)
            else:
                self.device_in = packet.append_to(self.device_in)
        work = self.work_in
        if work is None:
            return self.wait()
        count = work.datum
        if count >= BUFFER_SIZE:
            self.work_in = work.link
            return self.queue_packet(work)
        device = self.device_in
        if device is None:
            return self.wait()
        self.device_in = device.link
        device.datum = work.data[count]
        work.datum = count + 1
        return self.queue_packet(device)


class DeviceTask(Task):
    def __init__(self, system, ident, priority):
        super().__init__(system, ident, priority, None, False, True)
        self.pending = None

    def work(self, packet):
        if packet is None:
            packet = self.pending
            if packet is None:
                return self.wait()
            self.pending = None
            return self.queue_packet(packet)
        self.pending = packet
        return self.hold()


def packets(count, ident, kind):
    queue = None
    for _ in range(count):
        queue = Packet(queue, ident, kind)
    return queue


def main(n):
    system = System()
    IdleTask(system, n)
    WorkTask(system, packets(2, 0, K_WORK))
    HandlerTask(system, I_HANDLER_A, 2000, packets(3, I_DEVICE_A, K_DEVICE))
    HandlerTask(system, I_HANDLER_B, 3000, packets(3, I_DEVICE_B, K_DEVICE))
    DeviceTask(system, I_DEVICE_A, 4000)
    DeviceTask(system, I_DEVICE_B, 5000)
    system.schedule()
    return system.hold_count, system.queued_count


if __name__ == "__main__":
    print(main(10_000))
