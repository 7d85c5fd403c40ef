// The trace panel's script: it sends moves to the extension and swaps in the step it gets back.
// All HTML arrives escaped from src/trace/traceView.ts; the stepping logic lives in traceModel.ts.
(function () {
    const vscode = acquireVsCodeApi();
    const step = document.getElementById('step');
    const slider = document.getElementById('slider');
    const position = document.getElementById('position');
    const buttons = Array.from(document.querySelectorAll('button[data-move]'));

    function move(to) {
        vscode.postMessage({ type: 'move', to: to });
    }

    buttons.forEach(function (button) {
        button.addEventListener('click', function () {
            move(button.dataset.move);
        });
    });

    if (slider) {
        slider.addEventListener('input', function () {
            move(Number(slider.value));
        });
    }

    const KEYS = { ArrowLeft: 'previous', ArrowRight: 'next', Home: 'first', End: 'last' };
    document.addEventListener('keydown', function (event) {
        let to = KEYS[event.key];
        if (event.shiftKey && event.key === 'ArrowLeft') {
            to = 'previousLine';
        } else if (event.shiftKey && event.key === 'ArrowRight') {
            to = 'nextLine';
        }
        if (to) {
            event.preventDefault();
            move(to);
        }
    });

    window.addEventListener('message', function (event) {
        const message = event.data;
        if (message.type !== 'step') {
            return;
        }
        step.innerHTML = message.html;
        if (slider) {
            slider.value = String(message.index);
        }
        if (position) {
            position.textContent = message.index + 1 + ' / ' + message.total;
        }
        buttons.forEach(function (button) {
            const backwards = ['first', 'previous', 'previousLine'].indexOf(button.dataset.move) >= 0;
            button.disabled = backwards ? message.index === 0 : message.index === message.total - 1;
        });
    });

    vscode.postMessage({ type: 'ready' });
})();
