"""Fill addons/*/i18n/{he,ar,ru}.po from the .pot with the key terms below (menus,
roles, states, Order-to-Cash steps). Untranslated entries stay empty and fall back to
English.

    python scripts/i18n_terms.py
"""

from pathlib import Path

import polib

TERMS = {
    "Sales Support": ("תמיכת מכירות", "دعم المبيعات", "Поддержка продаж"),
    "Assistant": ("עוזר/ת", "مساعد", "Ассистент"),
    "Coordinator": ("רכז/ת", "منسق", "Координатор"),
    "Customer Service Manager": (
        "מנהל/ת שירות לקוחות",
        "مدير خدمة العملاء",
        "Руководитель службы клиентов",
    ),
    "Coordinators": ("רכזים", "المنسقون", "Координаторы"),
    "Salespeople": ("אנשי מכירות", "مندوبو المبيعات", "Продавцы"),
    "Team": ("צוות", "الفريق", "Команда"),
    "Orders": ("הזמנות", "الطلبات", "Заказы"),
    "Customers": ("לקוחות", "العملاء", "Клиенты"),
    "Requests": ("פניות", "الطلبات الواردة", "Обращения"),
    "Customer Requests": ("פניות לקוחות", "طلبات العملاء", "Обращения клиентов"),
    "Customer Request": ("פניית לקוח", "طلب العميل", "Обращение клиента"),
    "Claims": ("תלונות", "المطالبات", "Претензии"),
    "Rated On": ("דורג בתאריך", "تاريخ التقييم", "Дата оценки"),
    (
        "Only the customer rates an order, through the link of the rating e-mail. A KPI "
        "manager (the customer-service manager, a sales administrator) who neither sells nor "
        "coordinates the order records a score the customer gave another way, such as by "
        "phone: ask one of them."
    ): (
        'רק הלקוח מדרג הזמנה, דרך הקישור בדוא"ל בקשת הדירוג. מנהל מדדים (מנהל שירות '
        "הלקוחות, מנהל מכירות) שאינו מוכר או מתאם את ההזמנה רושם ציון שהלקוח נתן בדרך "
        "אחרת, למשל בטלפון: פנו לאחד מהם.",
        "العميل وحده يقيّم الطلب، عبر رابط رسالة طلب التقييم. يسجّل مدير المؤشرات (مدير "
        "خدمة العملاء، مسؤول المبيعات) الذي لا يبيع الطلب ولا ينسّقه التقييمَ الذي أعطاه "
        "العميل بطريقة أخرى، مثل الهاتف: اطلب ذلك من أحدهما.",
        "Заказ оценивает только клиент — по ссылке из письма с просьбой об оценке. Оценку, "
        "данную клиентом иначе, например по телефону, вносит менеджер KPI (руководитель "
        "службы клиентов, администратор продаж), который не продаёт и не координирует этот "
        "заказ: обратитесь к одному из них.",
    ),
    (
        "Ratings of orders are asked for by the rating e-mail sent after the delivery; only "
        "a KPI manager (the customer-service manager, a sales administrator) creates one by "
        "hand."
    ): (
        'דירוגי הזמנות מתבקשים בדוא"ל בקשת הדירוג שנשלח לאחר המשלוח; רק מנהל מדדים (מנהל '
        "שירות הלקוחות, מנהל מכירות) יוצר דירוג ידנית.",
        "تُطلب تقييمات الطلبات عبر رسالة طلب التقييم المرسلة بعد التسليم؛ ولا ينشئ تقييمًا "
        "يدويًا إلا مدير المؤشرات (مدير خدمة العملاء، مسؤول المبيعات).",
        "Оценки заказов запрашиваются письмом, отправляемым после доставки; вручную их "
        "создаёт только менеджер KPI (руководитель службы клиентов, администратор продаж).",
    ),
    "Claim": ("תלונה", "مطالبة", "Претензия"),
    "Order-Entry Errors": (
        "שגיאות הקלדת הזמנה",
        "أخطاء إدخال الطلبات",
        "Ошибки ввода заказов",
    ),
    "Configuration": ("הגדרות", "الإعدادات", "Настройка"),
    "Settings": ("הגדרות מערכת", "الضبط", "Параметры"),
    "Reporting": ("דוחות", "التقارير", "Отчёты"),
    "Assignment Rules": ("כללי שיוך", "قواعد التعيين", "Правила назначения"),
    "Request Types and SLAs": (
        "סוגי פניות ו-SLA",
        "أنواع الطلبات واتفاقيات الخدمة",
        "Типы обращений и SLA",
    ),
    "Order-to-Cash Step Targets": (
        "יעדי שלבי Order-to-Cash",
        "أهداف مراحل الطلب حتى التحصيل",
        "Нормативы этапов Order-to-Cash",
    ),
    "Orders by Coordinator": (
        "הזמנות לפי רכז",
        "الطلبات حسب المنسق",
        "Заказы по координаторам",
    ),
    "Support Coordinator": ("רכז/ת תמיכה", "منسق الدعم", "Координатор поддержки"),
    "Backup Coordinator": ("רכז/ת מחליף/ה", "المنسق البديل", "Замещающий координатор"),
    "Request Received": ("פנייה התקבלה", "تم استلام الطلب", "Обращение получено"),
    "Quotation Sent": ("הצעת מחיר נשלחה", "تم إرسال عرض السعر", "КП отправлено"),
    "Confirmed by Customer": (
        "אושר על ידי הלקוח",
        "أكده العميل",
        "Подтверждено клиентом",
    ),
    "Order Entered": ("ההזמנה הוקלדה", "تم إدخال الطلب", "Заказ введён"),
    "Goods Ready": ("הסחורה מוכנה", "البضاعة جاهزة", "Товар готов"),
    "Shipped": ("נשלח", "تم الشحن", "Отгружено"),
    "Invoiced": ("חויב", "تمت الفوترة", "Выставлен счёт"),
    "Paid": ("שולם", "مدفوع", "Оплачено"),
    # Order-to-Cash ledger descriptions (stored in every language: test_translation)
    "Purchase order received": (
        "התקבלה הזמנת רכש",
        "تم استلام أمر الشراء",
        "Получен заказ покупателя",
    ),
    "%(type)s (customer request)": (
        "%(type)s (לבקשת הלקוח)",
        "%(type)s (بطلب العميل)",
        "%(type)s (по просьбе клиента)",
    ),
    "Confirmed at order entry": (
        "אושר בעת קליטת ההזמנה",
        "تم التأكيد عند إدخال الطلب",
        "Подтверждён при вводе заказа",
    ),
    "Signed online by %(name)s": (
        "נחתם מקוון על ידי %(name)s",
        "تم التوقيع عبر الإنترنت بواسطة %(name)s",
        "Подписан онлайн: %(name)s",
    ),
    "Cancelled": ("בוטל", "ملغى", "Отменено"),
    "New": ("חדש", "جديد", "Новое"),
    "In Progress": ("בטיפול", "قيد التنفيذ", "В работе"),
    "Waiting for Customer": ("ממתין ללקוח", "بانتظار العميل", "Ожидание клиента"),
    "Done": ("הושלם", "منجز", "Выполнено"),
    "On Time": ("בזמן", "في الموعد", "В срок"),
    "At Risk": ("בסיכון", "معرض للخطر", "Под угрозой"),
    "Breached": ("חריגה", "متجاوز", "Нарушен"),
    "Late": ("באיחור", "متأخر", "Просрочено"),
    "Create Quotation": ("צור הצעת מחיר", "إنشاء عرض سعر", "Создать КП"),
    "Open Claim": ("פתח תלונה", "فتح مطالبة", "Открыть претензию"),
    "Customer Confirmed": ("הלקוח אישר", "أكد العميل", "Клиент подтвердил"),
    "Create Return": ("צור החזרה", "إنشاء مرتجع", "Создать возврат"),
    "Create Credit Note": ("צור זיכוי", "إنشاء إشعار دائن", "Создать кредит-ноту"),
    "Order-to-Cash": ("מהזמנה לגבייה", "من الطلب إلى التحصيل", "От заказа до оплаты"),
    "Milestones": ("אבני דרך", "المراحل", "Вехи"),
    "My Support Orders": (
        "הזמנות התמיכה שלי",
        "طلبات الدعم الخاصة بي",
        "Мои заказы поддержки",
    ),
    "First Response Due": ("מועד מענה ראשון", "موعد الرد الأول", "Срок первого ответа"),
    "Resolution Due": ("מועד פתרון", "موعد الحل", "Срок решения"),
    "Sales Support KPIs": (
        "מדדי תמיכת מכירות",
        "مؤشرات دعم المبيعات",
        "KPI поддержки продаж",
    ),
    "Manager": ("מנהל/ת", "مدير", "Руководитель"),
    "Order-to-Cash Events": (
        "אירועי מהזמנה לגבייה",
        "أحداث من الطلب إلى التحصيل",
        "События цикла заказ–оплата",
    ),
    "Order-to-Cash Analysis": (
        "ניתוח מהזמנה לגבייה",
        "تحليل من الطلب إلى التحصيل",
        "Анализ цикла заказ–оплата",
    ),
    "Fully Invoiced": ("חויב במלואו", "مفوتر بالكامل", "Полностью выставлен счёт"),
    "More to Ship": ("נותר לשלוח", "المزيد للشحن", "Осталось отгрузить"),
    "More to Invoice": ("נותר לחייב", "المزيد للفوترة", "Осталось выставить"),
    "Payment Undone": ("תשלום בוטל", "تم إلغاء الدفع", "Оплата отменена"),
    "Return Received": ("החזרה התקבלה", "تم استلام المرتجع", "Возврат получен"),
    "Replacement Delivered": ("החלפה נמסרה", "تم تسليم البديل", "Замена доставлена"),
    "Log Entry Error": ("רישום טעות הקלדה", "تسجيل خطأ إدخال", "Записать ошибку ввода"),
    # foreign trade, tenders, accounting support, customer care, KPIs
    "Tenders": ("מכרזים", "المناقصات", "Тендеры"),
    "Tender": ("מכרז", "مناقصة", "Тендер"),
    "Tender Register": ("רישום מכרזים", "سجل المناقصات", "Реестр тендеров"),
    "Letters of Credit": ("מכתבי אשראי", "الاعتمادات المستندية", "Аккредитивы"),
    "Letter of Credit": ("מכתב אשראי", "اعتماد مستندي", "Аккредитив"),
    "Documents": ("מסמכים", "المستندات", "Документы"),
    "Document Types": ("סוגי מסמכים", "أنواع المستندات", "Типы документов"),
    "Checklists": ("רשימות תיוג", "قوائم التحقق", "Чек-листы"),
    "Checklist Templates": ("תבניות רשימות תיוג", "قوالب قوائم التحقق", "Шаблоны чек-листов"),
    "Originals Still Out": ("מקורות שטרם הוחזרו", "أصول لم تُعد بعد", "Невозвращённые оригиналы"),
    "Accounting": ("הנהלת חשבונות", "المحاسبة", "Бухгалтерия"),
    "Cheques": ("שיקים", "الشيكات", "Чеки"),
    "Customer Cheques": ("שיקים של לקוחות", "شيكات العملاء", "Чеки клиентов"),
    "Statement of Account": ("כרטסת לקוח", "كشف الحساب", "Акт сверки"),
    "Paid in %(currency)s": (
        "שולם ב-%(currency)s",
        "مدفوع بعملة %(currency)s",
        "Оплачено в %(currency)s",
    ),
    "Applied in %(currency)s": (
        "נזקף ב-%(currency)s",
        "مطبّق بعملة %(currency)s",
        "Зачтено в %(currency)s",
    ),
    "Credited in %(currency)s": (
        "זוכה ב-%(currency)s",
        "دائن بعملة %(currency)s",
        "Кредитовано в %(currency)s",
    ),
    "Credit Exposure": ("חשיפת אשראי (אובליגו)", "التعرض الائتماني", "Кредитный риск"),
    "Collections": ("גבייה", "التحصيل", "Взыскание"),
    "Follow-up Levels": ("רמות מעקב", "مستويات المتابعة", "Уровни напоминаний"),
    "Follow-up Log": ("יומן מעקב", "سجل المتابعة", "Журнал напоминаний"),
    "Promises to Pay": ("הבטחות תשלום", "وعود الدفع", "Обещания оплаты"),
    "Customer Status": ("סטטוס לקוח", "حالة العميل", "Статус клиента"),
    "Silent Customers": ("לקוחות שנעלמו", "العملاء الصامتون", "Затихшие клиенты"),
    "Meeting Brief": ("תדריך לפגישה", "موجز الاجتماع", "Справка к встрече"),
    "KPIs": ("מדדי ביצוע", "مؤشرات الأداء", "KPI"),
    "My KPIs": ("המדדים שלי", "مؤشراتي", "Мои KPI"),
    "Deadlines": ("מועדים", "المواعيد النهائية", "Сроки"),
}
LANGS = {"he": 0, "ar": 1, "ru": 2}
LANG_NAMES = {"he": "he", "ar": "ar", "ru": "ru"}


def main():
    root = Path(__file__).resolve().parent.parent / "addons"
    for pot_path in sorted(root.glob("*/i18n/*.pot")):
        pot = polib.pofile(str(pot_path))
        for lang, index in LANGS.items():
            po = polib.POFile()
            po.metadata = {
                **pot.metadata,
                "Language": LANG_NAMES[lang],
                "Content-Type": "text/plain; charset=UTF-8",
            }
            for entry in pot:
                translated = TERMS.get(entry.msgid)
                po.append(
                    polib.POEntry(
                        msgid=entry.msgid,
                        msgstr=translated[index] if translated else "",
                        occurrences=entry.occurrences,
                        comment=entry.comment,
                        tcomment=entry.tcomment,
                        flags=entry.flags,
                    )
                )
            out = pot_path.parent / f"{lang}.po"
            po.save(str(out))
            done = sum(1 for e in po if e.msgstr)
            name = out.relative_to(root.parent)
            print(f"{name}: {done} of {len(po)} entries translated")


if __name__ == "__main__":
    main()
